using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The report as Markdown, ready to paste into the README's performance section.
/// </summary>
static class MarkdownReportWriter
{
    public static string Write(CompareReport report)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine("# Serilog.Sinks.QueueListener: comparison with its peers");
        text.AppendLine();
        Line(text, $"- Date: {report.StartedAt:yyyy-MM-dd HH:mm} UTC (the run took {report.Duration.TotalSeconds:F0} s){(options.IsQuick ? "; **quick mode: smoke-test sizes, not for publishing**" : "")}");
        Line(text, $"- Machine: {report.Machine}");
        Line(text, $"- Load average (1, 5, 15 min): {report.LoadAverage}. Each queued pipeline needs a core for its listener besides the producers'; on a loaded machine it does not get one, and the figures show the scheduler.");
        Line(text, $"- Each row: median [min–max] of {options.Repetitions} repetitions, after one warm-up repetition; each repetition at least {options.EventsPerRepetition:N0} events (shared out over the producers), more for a configuration fast enough to finish sooner than {options.MinimumRepetitionTime.TotalMilliseconds:F0} ms; buffer {options.BufferSize:N0} events for every pipeline.");
        Line(text, $"- Sink: a counting sink (one interlocked increment, a signal at the expected count). Serilog 4 batching: `BatchSizeLimit = {Pipeline.BatchingBatchSizeLimit}`, `BufferingTimeLimit = {Pipeline.BatchingBufferingTimeLimit.TotalMilliseconds} ms`; bounded: `QueueLimit = {options.BufferSize:N0}` (the buffer size; it discards silently when full), lossless: `QueueLimit = null` (an unbounded queue, the peer of the blocking pipelines).");
        text.AppendLine("- End-to-end events/s: events delivered to the sink over the time from releasing the producers until every event was delivered or reported dropped. Process B/event and CPU ns/event cover every thread of the process; Cores used is the process's CPU time over the wall time (a queued pipeline wants more than one core: producers and listener). Lost %: events that never reached the sink; Accounted: every lost event was reported to the failure listener (delivered + dropped == emitted in every repetition, and dropped equal to the pipeline's own drop counter where it keeps one).");
        text.AppendLine();
        text.AppendLine("## Throughput");
        text.AppendLine();
        Table(text, ThroughputTable.Headers, report.Throughput.Select(ThroughputTable.Cells));

        var latency = report.Latency;
        text.AppendLine();
        text.AppendLine("## Queue listener: wake-up, idle, saturation");
        text.AppendLine();
        Line(text, $"- Idle-to-busy wake-up latency, from the call to the sink, one event at a time {latency.GapMilliseconds:F2} ms apart ({latency.Samples:N0} samples): p50 **{latency.P50:F1} µs**, p99 **{latency.P99:F1} µs**, p99.9 **{latency.P999:F1} µs**, max {latency.Max:F1} µs; {latency.Lost} lost.");
        var idle = report.IdleCpu;
        Line(text, $"- Process CPU while idle for {idle.WindowSeconds:F1} s: **{idle.WithListenerPercentOfCore:F2}%** of one core with a parked listener, {idle.BaselinePercentOfCore:F2}% with no pipeline.");
        Line(text, $"- Saturation: one producer, buffer {options.SaturationBufferSize:N0}, a sink that spins {options.SaturationSpinIterations} `Thread.SpinWait` iterations per event.");
        text.AppendLine();
        Table(text, SaturationTable.Headers, report.Saturation.Select(SaturationTable.Cells));

        text.AppendLine();
        text.AppendLine("## Drop modes: the time of every Emit");
        text.AppendLine();
        Line(text, $"- {options.EmitLatencyProducers} producers released together, buffer {options.EmitLatencyBufferSize}, so that nearly every call finds the queue full; each producer times each of its {options.EmitLatencyCallsPerProducer:N0} `logger.Write(prebuilt event)` calls with `Stopwatch.GetTimestamp()`, after {options.EmitLatencyWarmUpCalls:N0} untimed calls on the same thread into a pipeline of the same kind. The sink counts; the failure listener counts. Percentiles are nearest-rank over every call of all producers.");
        text.AppendLine("- A call's time is wall time: a producer descheduled during a call is measured as slow. With more producers than cores that happens whatever the logger does, so the synchronous floor (no queue) is the baseline for the tail. Waits: the producers' voluntary context switches during their calls (parked, slept, blocked on a lock, or suspended for a garbage collection); Preemptions: the involuntary ones (Linux only). Accounted: every call delivered or counted dropped by the queue, and every drop reported to the failure listener, with the event or, past the reporter's bound, as a count only.");
        text.AppendLine();
        Table(text, EmitLatencyTable.Headers, report.EmitLatency.Select(EmitLatencyTable.Cells));

        text.AppendLine();
        PacedLatencyMarkdown.AppendSection(text, report.PacedLatency, options);

        text.AppendLine();
        text.AppendLine("## Targets");
        text.AppendLine();
        Table(text, ["Target", "Measured", "Holds"], report.Targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Measured, t.Holds ? "yes" : "**no**"]));
        return text.ToString();
    }

    public static void Line(StringBuilder text, FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

    public static void Table(StringBuilder text, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        text.AppendLine("| " + string.Join(" | ", headers) + " |");
        text.AppendLine("|" + string.Concat(headers.Select(_ => " --- |")));
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }
    }
}
