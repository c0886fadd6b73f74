using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The batched counterpart of <see cref="CountingSink"/> for Serilog's own batching sink: one increment per batch.
/// It also stamps each batch's arrival, because that sink drops events silently when its queue is full: the tally
/// then never completes, and the time of the last batch is when the repetition really ended.
/// </summary>
sealed class CountingBatchedSink(Tally tally) : IBatchedLogEventSink
{
    long _lastBatchAt;

    /// <summary>When the last batch arrived, in <see cref="Stopwatch"/> ticks.</summary>
    public long LastBatchAt => Volatile.Read(ref _lastBatchAt);

    public Task EmitBatchAsync(IReadOnlyCollection<LogEvent> batch)
    {
        Volatile.Write(ref _lastBatchAt, Stopwatch.GetTimestamp());
        tally.AddDelivered(batch.Count);
        return Task.CompletedTask;
    }

    public Task OnEmptyBatchAsync() => Task.CompletedTask;
}
