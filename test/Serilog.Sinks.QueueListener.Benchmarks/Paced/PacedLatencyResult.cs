using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// One configuration at one rate: the time of every call, and how long every event took to reach the end sink, in
/// microseconds.
/// </summary>
/// <param name="Rate">The rate offered, in events per second over all producers.</param>
/// <param name="Events">The timed calls, over all producers.</param>
/// <param name="CallerP50">The time inside the log call, from just before it to just after it returned.</param>
/// <param name="DeliveryP50">From just before the call to the moment the end sink received the event, over the
/// delivered events.</param>
/// <param name="Dropped">The events the pipeline dropped, by its own count where it keeps one, otherwise as its
/// failure listener was told.</param>
/// <param name="FileLines">The lines the timed events wrote to the log file (all of its lines, less the warm-up's),
/// counted once the pipeline was disposed; <see langword="null"/> for the counting end sink.</param>
/// <param name="SentPerSecond">The rate the producers achieved: below <paramref name="Rate"/> when the calls took
/// longer than the interval between them.</param>
/// <param name="MaxBehindMilliseconds">The latest a call began after its due time.</param>
/// <param name="Completed">Every producer finished and every event was delivered or counted dropped within the
/// timeout.</param>
sealed record PacedLatencyResult(
    PipelineKind Kind,
    EndSink EndSink,
    int Producers,
    int Rate,
    int Events,
    double CallerP50,
    double CallerP99,
    double CallerP999,
    double CallerMax,
    double DeliveryP50,
    double DeliveryP99,
    double DeliveryP999,
    double DeliveryMax,
    long Delivered,
    long Dropped,
    long? FileLines,
    double SentPerSecond,
    double MaxBehindMilliseconds,
    GcCollections Collections,
    bool Completed)
{
    /// <summary>Every event was delivered or counted dropped.</summary>
    public bool AllAccounted => Completed && Delivered + Dropped == Events;

    /// <summary>The rate in thousands, as the reports name it: "5k".</summary>
    public string RateLabel => FormatRate(Rate);

    public static string FormatRate(int rate) => rate % 1000 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{rate / 1000}k")
        : rate.ToString(CultureInfo.InvariantCulture);
}
