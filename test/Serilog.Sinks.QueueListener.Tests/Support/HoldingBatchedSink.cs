using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// The target of a Serilog batching sink, counting what reaches it: behind a long buffering time, events stay in
/// Serilog's batching sink, where no flush can reach them.
/// </summary>
sealed class HoldingBatchedSink : IBatchedLogEventSink
{
    int _emitted;

    public int Emitted => Volatile.Read(ref _emitted);

    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        Interlocked.Add(ref _emitted, batch.Count);
        return Task.CompletedTask;
    }
}
