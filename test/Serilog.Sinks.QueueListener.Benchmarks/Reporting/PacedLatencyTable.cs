using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the latency-at-fixed-rates table, shared by the console and Markdown reports. One table per producer
/// count, so the count is not a column.
/// </summary>
static class PacedLatencyTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "End sink", "Rate/s", "Configuration", "Sent/s", "Caller p50 µs", "Caller p99 µs", "Caller p99.9 µs",
        "Caller max µs", "Delivery p50 µs", "Delivery p99 µs", "Delivered", "Behind max ms",
    ];

    public static IReadOnlyList<string> Cells(PacedLatencyResult result) =>
    [
        result.EndSink.ToString(),
        result.RateLabel,
        result.Kind.DisplayName(),
        result.SentPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        Micro(result.CallerP50),
        Micro(result.CallerP99),
        Micro(result.CallerP999),
        Micro(result.CallerMax),
        Micro(result.DeliveryP50),
        Micro(result.DeliveryP99),
        Delivered(result),
        result.MaxBehindMilliseconds.ToString("F2", CultureInfo.InvariantCulture),
    ];

    /// <summary>"all", or how many, with the drops; "NO" where events are unaccounted for.</summary>
    static string Delivered(PacedLatencyResult result) => result switch
    {
        { AllAccounted: false } => string.Create(CultureInfo.InvariantCulture,
            $"NO: {result.Delivered:N0} of {result.Events:N0}, {result.Dropped:N0} dropped"),
        _ when result.Delivered == result.Events => "all",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{result.Delivered:N0} of {result.Events:N0}, {result.Dropped:N0} dropped"),
    };

    static string Micro(double microseconds) => microseconds.ToString("F1", CultureInfo.InvariantCulture);
}
