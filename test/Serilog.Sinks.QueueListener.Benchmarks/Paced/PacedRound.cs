using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// What one round of one configuration measured, unsummarised, so that the rounds of a cell can be pooled before
/// any percentile is taken.
/// </summary>
/// <param name="CallTicks">The time inside every timed call, in <see cref="System.Diagnostics.Stopwatch"/> ticks;
/// empty when a producer did not finish.</param>
/// <param name="DeliveryTicks">From just before the call to the end sink, for every event that arrived.</param>
/// <param name="Events">The timed calls, over all producers.</param>
/// <param name="SendingTicks">From the first event's due time to the start of the last call.</param>
/// <param name="Completed">Every producer finished and every event was delivered or counted dropped within the
/// timeout.</param>
sealed record PacedRound(
    long[] CallTicks,
    long[] DeliveryTicks,
    int Events,
    long Delivered,
    long Dropped,
    long? FileLines,
    long SendingTicks,
    long MaxBehindTicks,
    GcCollections Collections,
    bool Completed);
