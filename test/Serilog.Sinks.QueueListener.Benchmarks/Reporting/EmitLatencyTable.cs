using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the Emit latency table, shared by the console and Markdown reports.
/// </summary>
static class EmitLatencyTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Configuration", "Calls", "p50 µs", "p99 µs", "p99.9 µs", "p99.99 µs", "Max µs", "Calls > 1 ms",
        "Dropped %", "Waits", "Preemptions", "GCs (0/1/2)", "Accounted",
    ];

    public static IReadOnlyList<string> Cells(EmitLatencyResult result) =>
    [
        result.Kind.DisplayName(),
        result.Calls.ToString("N0", CultureInfo.InvariantCulture),
        Micro(result.P50),
        Micro(result.P99),
        Micro(result.P999),
        Micro(result.P9999),
        Micro(result.Max),
        result.OverOneMillisecond.ToString("N0", CultureInfo.InvariantCulture),
        result.DroppedPercent.ToString("F2", CultureInfo.InvariantCulture),
        result.Switches?.Voluntary.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
        result.Switches?.Involuntary.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
        string.Create(CultureInfo.InvariantCulture, $"{result.Collections.Gen0}/{result.Collections.Gen1}/{result.Collections.Gen2}"),
        Accounted(result),
    ];

    /// <summary>"yes", with how many dropped events reached the failure listener only as a count.</summary>
    static string Accounted(EmitLatencyResult result) => (result.AllAccounted, result.Uncarried) switch
    {
        (false, _) => "NO",
        (true, 0) => "yes",
        (true, var uncarried) => string.Create(CultureInfo.InvariantCulture, $"yes; {uncarried:N0} as a count only"),
    };

    static string Micro(double microseconds) => microseconds.ToString("F1", CultureInfo.InvariantCulture);
}
