using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the <c>redis</c> mode's full-speed table, shared by the console and Markdown reports.
/// </summary>
static class RedisThroughputTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Configuration", "Events", "End-to-end events/s", "From release events/s", "Producer ns/call", "Producer ns/event with flush",
        "Delivery p50 / p99 / max ms", "Lost / dup / failed", "CPU ns/event: producers / redis / collector",
        "Cores busy", "Producer B/event", "Producer GC pause ms",
    ];

    public static IReadOnlyList<string> Cells(RedisRunResult result) =>
    [
        result.Configuration.DisplayName(),
        Format($"{result.Events:N0}"),
        Format($"{result.EventsPerSecond:N0}"),
        Format($"{result.EventsPerSecondFromRelease:N0}"),
        Format($"{result.ProducerNanosecondsPerCall:N1}"),
        Format($"{result.ProducerTotalNanosecondsPerEvent:N1}"),
        Delivery(result, p999: false),
        Losses(result),
        Cpu(result),
        Format($"{result.CoresBusy:F2}"),
        Format($"{result.AllocatedBytesPerEvent.Producers:N0}"),
        Format($"{result.GcPauseMilliseconds.Producers:N0}"),
    ];

    /// <summary>"0 / 0 / 0", or the counts with "NO" in front where anything is missing.</summary>
    public static string Losses(RedisRunResult result)
    {
        var counts = Format($"{result.Lost:N0} / {result.Duplicates:N0} / {result.Failed:N0}");
        return result.AllDelivered ? counts : "NO: " + counts + (result.Completed ? "" : ", incomplete");
    }

    public static string Delivery(RedisRunResult result, bool p999) => !result.Configuration.UsesRedis()
        ? "–"
        : p999
            ? Format($"{result.DeliveryP50:F1} / {result.DeliveryP99:F1} / {result.DeliveryP999:F1} / {result.DeliveryMax:F1}")
            : Format($"{result.DeliveryP50:F1} / {result.DeliveryP99:F1} / {result.DeliveryMax:F1}");

    public static string Cpu(RedisRunResult result)
    {
        var (producers, redis, collector) = result.CpuNanosecondsPerEvent;
        return result.Configuration.UsesRedis()
            ? Format($"{producers:N0} / {redis:N0} / {collector:N0}")
            : Format($"{producers:N0} / – / –");
    }

    public static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
