using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the throughput table, shared by the console and Markdown reports so that they always agree.
/// </summary>
static class ThroughputTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Call", "Prod.", "Configuration", "Producer ns/call", "End-to-end events/s", "Producer B/event",
        "Process B/event", "CPU ns/event", "Cores used", "GC pause ns/event", "Lost %", "Accounted",
    ];

    public static IReadOnlyList<string> Cells(ThroughputSummary summary) =>
    [
        summary.Shape == CallShape.PrebuiltEvent ? "Write(event)" : "Information(...)",
        summary.Producers.ToString(CultureInfo.InvariantCulture),
        summary.Kind.DisplayName(),
        Spread(summary.ProducerNanosecondsPerCall, "F1"),
        Spread(summary.EventsPerSecond, "N0"),
        summary.ProducerBytesPerEvent.Median.ToString("F2", CultureInfo.InvariantCulture),
        summary.PipelineBytesPerEvent.Median.ToString("F2", CultureInfo.InvariantCulture),
        summary.CpuNanosecondsPerEvent.Median.ToString("F1", CultureInfo.InvariantCulture),
        summary.CoresUsed.Median.ToString("F2", CultureInfo.InvariantCulture),
        summary.GcPauseNanosecondsPerEvent.Median.ToString("F1", CultureInfo.InvariantCulture),
        summary.LostPercent.Median.ToString("F2", CultureInfo.InvariantCulture),
        Accounted(summary),
    ];

    /// <summary>"yes" when every event was delivered or reported dropped; otherwise how many were lost unreported.</summary>
    static string Accounted(ThroughputSummary summary) => summary.AllAccounted
        ? "yes"
        : string.Create(CultureInfo.InvariantCulture, $"NO: {100.0 * summary.Unreported / summary.Emitted:F2}% unreported");

    /// <summary>The median, then the extremes in brackets.</summary>
    static string Spread(Statistic statistic, string format) => string.Create(CultureInfo.InvariantCulture,
        $"{statistic.Median.ToString(format, CultureInfo.InvariantCulture)} [{statistic.Min.ToString(format, CultureInfo.InvariantCulture)}–{statistic.Max.ToString(format, CultureInfo.InvariantCulture)}]");
}
