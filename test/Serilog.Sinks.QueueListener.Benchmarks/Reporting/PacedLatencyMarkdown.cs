using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;
using static Serilog.Sinks.QueueListener.Benchmarks.Reporting.MarkdownReportWriter;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The latency-at-fixed-rates section, in the <c>compare</c> report and as the <c>latency</c> command's own report.
/// </summary>
static class PacedLatencyMarkdown
{
    public const string Heading = "## Latency at fixed rates";

    /// <summary>The <c>latency</c> command's report: the section, with the machine and the targets it judges.</summary>
    public static string Write(LatencyReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("# Serilog.Sinks.QueueListener: latency at fixed rates");
        text.AppendLine();
        Line(text, $"- Date: {report.StartedAt:yyyy-MM-dd HH:mm} UTC (the run took {report.Duration.TotalSeconds:F0} s){(report.Options.IsQuick ? "; **quick mode: smoke-test sizes, not for publishing**" : "")}");
        Line(text, $"- Machine: {report.Machine}");
        Line(text, $"- Load average (1, 5, 15 min): {report.LoadAverage}.");
        text.AppendLine();
        AppendSection(text, report.Results, report.Options);
        text.AppendLine();
        text.AppendLine("## Targets");
        text.AppendLine();
        Table(text, ["Target", "Measured", "Holds"], report.Targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Measured, t.Holds ? "yes" : "**no**"]));
        return text.ToString();
    }

    public static void AppendSection(StringBuilder text, IReadOnlyList<PacedLatencyResult> results, CompareOptions options)
    {
        var rates = string.Join(", ", options.PacedRates.Select(PacedLatencyResult.FormatRate));
        text.AppendLine(Heading);
        text.AppendLine();
        Line(text, $"- The producers call `logger.Information(\"{ThroughputRun.Template}\", i, customer)` at a fixed rate, counted over all of them: {rates} events/s. Event n is due at start + n / rate; the producer spins on `Stopwatch` until then (a sleep wakes too late for these intervals) and, if it is behind, calls at once: Behind max is the latest a call began, Sent/s the rate achieved. Two producers share one schedule, taking every other event, so that the sink sees the same rate.");
        var calls = options.PacedCellDuration > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"the larger of {options.PacedMinEvents:N0} calls and {options.PacedCellDuration.TotalSeconds:F0} s of calls")
            : string.Create(CultureInfo.InvariantCulture, $"{options.PacedMinEvents:N0} calls");
        Line(text, $"- Each configuration and rate: {calls}{(options.IsQuick ? "" : ", after an unreported pass at the quick sizes")}. The configurations of one rate take turns over {options.PacedRounds} rounds, each into a fresh pipeline after {options.PacedWarmUpCalls:N0} untimed calls per producer, in the orders of a Williams square (each configuration in every position once, and after every other once); each one's percentiles are of its rounds' calls pooled. On this kind of machine a configuration's p99 drifts more between seconds than the configurations differ: taking turns, they all sample the same states.");
        text.AppendLine("- Caller: the time inside the log call, `Stopwatch.GetTimestamp()` just before and just after, for every call; it is wall time, so a producer descheduled during a call counts. Delivery: from just before the call to the moment a stamping sink in front of the end sink received the event, for every delivered event. Percentiles are nearest-rank, in microseconds.");
        Line(text, $"- End sinks: File is Serilog.Sinks.File with its defaults (unbuffered, so a write to the file per event) in a temporary folder; Counting is a stamp and a count, nothing more. Sync floor: the end sink called on the producer's thread. Queue and Async (`blockWhenFull: true`): buffer {options.BufferSize:N0}. Serilog batching (lossless): `BufferingTimeLimit = {PacedPipeline.BatchingBufferingTimeLimit.TotalMilliseconds} ms`, `QueueLimit = null`, other options at their defaults.");
        text.AppendLine("- Each producer spins a core while it waits for its next due time. A listener (or worker) that the scheduler wakes on a spinning producer's core waits there until the producer is preempted, which takes milliseconds: delivery times in milliseconds at the low rates may show that rather than the pipeline, even with one producer on two cores. Where the listener is parked and wakes on another core, the call that wakes it pays for that: a caller p50 of several microseconds at the low rates.");

        foreach (var producers in results.Select(r => r.Producers).Distinct().Order())
        {
            text.AppendLine();
            text.AppendLine(producers == 1 ? "### 1 producer" : $"### {producers} producers");
            text.AppendLine();
            Table(text, PacedLatencyTable.Headers, results.Where(r => r.Producers == producers).Select(PacedLatencyTable.Cells));
        }
    }
}
