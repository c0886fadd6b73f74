using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// One full mode of <c>WriteTo.Queue</c> against a sink slower than the producer.
/// </summary>
/// <param name="OwnDropped">The queue's own <see cref="LogEventQueue.DroppedCount"/>.</param>
sealed record SaturationResult(
    QueueFullMode FullMode,
    long Emitted,
    long Delivered,
    long Dropped,
    long? OwnDropped,
    bool Completed,
    double ProducerNanosecondsPerCall,
    double DeliveredPerSecond)
{
    public bool AllAccounted => Completed && Delivered + Dropped == Emitted && OwnDropped == Dropped;

    public double LostPercent => Emitted == 0 ? 0 : 100.0 * Dropped / Emitted;
}
