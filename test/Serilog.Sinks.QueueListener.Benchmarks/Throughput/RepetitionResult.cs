using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// What one repetition of one configuration measured.
/// </summary>
/// <param name="Emitted">Calls made, over all producers.</param>
/// <param name="Delivered">Events that reached the sink.</param>
/// <param name="Dropped">Events reported to the failure listener.</param>
/// <param name="OwnDropped">The pipeline's own drop counter for the repetition, where it keeps one.</param>
/// <param name="Completed">Whether every event was delivered or reported dropped before the timeout.</param>
/// <param name="ProducerNanosecondsPerCall">Mean over the producers of their time per call.</param>
/// <param name="EventsPerSecond">Delivered events over the time from the start signal until the last event was
/// accounted for.</param>
/// <param name="ProducerBytesPerEvent">Bytes the producer threads allocated, per call.</param>
/// <param name="PipelineBytesPerEvent">Bytes the whole process allocated, per call.</param>
/// <param name="CpuNanosecondsPerEvent">Process CPU time (all threads), per call.</param>
/// <param name="GcPauseNanosecondsPerEvent">Time the runtime was paused for garbage collection, per call.</param>
/// <param name="Collections">Garbage collections of generations 0, 1 and 2 during the repetition.</param>
/// <param name="Seconds">From the start signal until the last event was accounted for.</param>
sealed record RepetitionResult(
    long Emitted,
    long Delivered,
    long Dropped,
    long? OwnDropped,
    bool Completed,
    double ProducerNanosecondsPerCall,
    double EventsPerSecond,
    double ProducerBytesPerEvent,
    double PipelineBytesPerEvent,
    double CpuNanosecondsPerEvent,
    double GcPauseNanosecondsPerEvent,
    GcCollections Collections,
    double Seconds)
{
    public bool AllAccounted => Completed && Delivered + Dropped == Emitted && (OwnDropped is null || OwnDropped == Dropped);

    /// <summary>Events that never reached the sink, reported or not.</summary>
    public long Lost => Emitted - Delivered;

    /// <summary>Events lost without a report to the failure listener.</summary>
    public long Unreported => Emitted - Delivered - Dropped;

    /// <summary>Calls per second, delivered or not: the rate to size later repetitions by.</summary>
    public double CallsPerSecond => Emitted / Seconds;

    /// <summary>
    /// Process CPU time over wall time: how many cores the process actually had. A queued pipeline needs more than
    /// one (producers and listener); on a loaded machine it gets less, and its figures measure the scheduler.
    /// </summary>
    public double CoresUsed => CpuNanosecondsPerEvent * Emitted / 1e9 / Seconds;

    public double LostPercent => Emitted == 0 ? 0 : 100.0 * Lost / Emitted;
}
