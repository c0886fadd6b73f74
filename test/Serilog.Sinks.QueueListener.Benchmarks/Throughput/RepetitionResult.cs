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
    double CpuNanosecondsPerEvent)
{
    public bool AllAccounted => Completed && Delivered + Dropped == Emitted && (OwnDropped is null || OwnDropped == Dropped);

    /// <summary>Events that never reached the sink, reported or not.</summary>
    public long Lost => Emitted - Delivered;

    /// <summary>Events lost without a report to the failure listener.</summary>
    public long Unreported => Emitted - Delivered - Dropped;

    public double LostPercent => Emitted == 0 ? 0 : 100.0 * Lost / Emitted;
}
