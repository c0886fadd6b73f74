using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// The time of every single <c>Emit</c> of one configuration, with many producers into a tiny buffer, in
/// microseconds, from the producer's call to its return.
/// </summary>
/// <param name="Calls">Calls timed, over all producers.</param>
/// <param name="OverOneMillisecond">Calls that took longer than a millisecond.</param>
/// <param name="Dropped">Events the failure listener received as dropped, counted after the logger was
/// disposed.</param>
/// <param name="OwnDropped">The queue's own <c>DroppedCount</c>; <see langword="null"/> for a pipeline without
/// one.</param>
/// <param name="ReportsWithoutEvents">Failure reports that carried no events: the queue's drop reporter holds a
/// bounded number of events for its reports, and past that it only counts the drops and says how many in a report
/// of its own.</param>
/// <param name="Switches">The producers' context switches during their calls, summed; <see langword="null"/> where
/// the system does not count them.</param>
/// <param name="Completed">Every producer finished within the timeout.</param>
sealed record EmitLatencyResult(
    PipelineKind Kind,
    int Producers,
    int BufferSize,
    long Calls,
    double P50,
    double P99,
    double P999,
    double P9999,
    double Max,
    long OverOneMillisecond,
    long Delivered,
    long Dropped,
    long? OwnDropped,
    long ReportsWithoutEvents,
    ContextSwitches? Switches,
    GcCollections Collections,
    double Seconds,
    bool Completed)
{
    /// <summary>Dropped events the failure listener was told of only as a count, in a report without them.</summary>
    public long Uncarried => (OwnDropped ?? Dropped) - Dropped;

    /// <summary>
    /// Every call was delivered or counted as dropped, and every dropped event reached the failure listener: with
    /// the event, or in a count-only report when the reporter held too many (never more than the queue counted).
    /// </summary>
    public bool AllAccounted =>
        Completed && Delivered + (OwnDropped ?? Dropped) == Calls && Uncarried >= 0
            && (Uncarried == 0 || ReportsWithoutEvents > 0);

    /// <summary>The calls whose event was dropped, as the queue counted them: with those reported as a count
    /// only.</summary>
    public double DroppedPercent => Calls == 0 ? 0 : 100.0 * (OwnDropped ?? Dropped) / Calls;
}
