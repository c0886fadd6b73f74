using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// Hands each event of a batch from Serilog's batching sink to an ordinary sink, one after the other, as a batched
/// File sink would write them: so that the batching pipeline ends in the same sinks as the others.
/// </summary>
sealed class ForwardingBatchedSink(ILogEventSink next) : IBatchedLogEventSink
{
    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        foreach (var logEvent in batch) next.Emit(logEvent);
        return Task.CompletedTask;
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;
}
