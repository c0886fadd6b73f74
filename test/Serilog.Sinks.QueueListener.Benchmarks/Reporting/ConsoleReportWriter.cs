using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The report as aligned plain-text tables.
/// </summary>
static class ConsoleReportWriter
{
    public static void Write(CompareReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"Machine: {report.Machine}; load average (1, 5, 15 min) {report.LoadAverage}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Date: {report.StartedAt:yyyy-MM-dd HH:mm} UTC; {report.Options.Repetitions} repetitions of at least {report.Options.EventsPerRepetition:N0} events; buffer {report.Options.BufferSize:N0}{(report.Options.IsQuick ? "; QUICK MODE" : "")}"));
        output.WriteLine();
        WriteTable(output, ThroughputTable.Headers, report.Throughput.Select(ThroughputTable.Cells).ToList());

        var latency = report.Latency;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wake-up latency (Queue Block, {latency.Samples} samples, {latency.GapMilliseconds:F2} ms apart): p50 {latency.P50:F1} µs, p99 {latency.P99:F1} µs, p99.9 {latency.P999:F1} µs, max {latency.Max:F1} µs, lost {latency.Lost}"));
        var idle = report.IdleCpu;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Idle CPU over {idle.WindowSeconds:F1} s: {idle.WithListenerPercentOfCore:F2}% of a core with an idle listener, {idle.BaselinePercentOfCore:F2}% without"));
        output.WriteLine();
        WriteTable(output, SaturationTable.Headers, report.Saturation.Select(SaturationTable.Cells).ToList());
        output.WriteLine();
        WriteEmitLatency(report.EmitLatency, report.Options, output);
        output.WriteLine();
        WritePacedLatency(report.PacedLatency, output);
        output.WriteLine();
        WriteTargets(report.Targets, output);
    }

    public static void WriteTargets(IReadOnlyList<TargetResult> targets, TextWriter output) =>
        WriteTable(output, ["Target", "Measured", "Holds"],
            targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Measured, t.Holds ? "yes" : "NO"]).ToList());

    /// <summary>The latency-at-fixed-rates tables, one per producer count; also what the <c>latency</c> command
    /// prints.</summary>
    public static void WritePacedLatency(IReadOnlyList<PacedLatencyResult> results, TextWriter output)
    {
        foreach (var producers in results.Select(r => r.Producers).Distinct().Order())
        {
            output.WriteLine($"Latency at fixed rates, {producers} producer(s) (caller: inside the log call; delivery: from the call to the end sink):");
            WriteTable(output, PacedLatencyTable.Headers,
                results.Where(r => r.Producers == producers).Select(PacedLatencyTable.Cells).ToList());
            output.WriteLine();
        }
    }

    /// <summary>The Emit latency table with its heading; also what the <c>emit-latency</c> command prints.</summary>
    public static void WriteEmitLatency(IReadOnlyList<EmitLatencyResult> results, CompareOptions options,
        TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Emit latency ({options.EmitLatencyProducers} producers, buffer {options.EmitLatencyBufferSize}, {options.EmitLatencyCallsPerProducer:N0} calls each; Waits: voluntary context switches, Preemptions: involuntary):"));
        WriteTable(output, EmitLatencyTable.Headers, results.Select(EmitLatencyTable.Cells).ToList());
    }

    public static void WriteTable(TextWriter output, IReadOnlyList<string> headers, List<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
        }
    }
}
