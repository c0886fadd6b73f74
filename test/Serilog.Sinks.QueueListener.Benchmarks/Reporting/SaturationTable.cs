using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the saturation table.
/// </summary>
static class SaturationTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Saturated full mode", "Emitted", "Delivered", "Dropped (listener)", "DroppedCount", "Lost %",
        "Producer ns/call", "Delivered/s", "Accounted",
    ];

    public static IReadOnlyList<string> Cells(SaturationResult result) =>
    [
        result.FullMode.ToString(),
        result.Emitted.ToString("N0", CultureInfo.InvariantCulture),
        result.Delivered.ToString("N0", CultureInfo.InvariantCulture),
        result.Dropped.ToString("N0", CultureInfo.InvariantCulture),
        result.OwnDropped?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",
        result.LostPercent.ToString("F2", CultureInfo.InvariantCulture),
        result.ProducerNanosecondsPerCall.ToString("F1", CultureInfo.InvariantCulture),
        result.DeliveredPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        result.AllAccounted ? "yes" : "NO",
    ];
}
