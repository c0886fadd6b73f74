using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using static Serilog.Sinks.QueueListener.Benchmarks.Reporting.RedisThroughputTable;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the <c>redis</c> mode's paced table, shared by the console and Markdown reports. Caller percentiles
/// are the worse of the producers' own.
/// </summary>
static class RedisPacedTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Configuration", "Rate/s", "Sent/s", "Caller p50 / p99 / max µs", "Delivery p50 / p99 / p99.9 / max ms",
        "Of which to Redis p50 / p99 / max ms",
        "Behind max ms", "Lost / dup / failed", "CPU ns/event: redis / collector",
    ];

    public static IReadOnlyList<string> Cells(RedisRunResult result) =>
    [
        result.Configuration.DisplayName(),
        Format($"{result.Rate:N0}"),
        Format($"{result.SentPerSecond:N0}") + (result.KeptUp ? "" : " (behind)"),
        Format($"{result.Producers.Max(p => p.CallerP50) / 1e3:F2} / {result.Producers.Max(p => p.CallerP99) / 1e3:F2} / {result.Producers.Max(p => p.CallerMax) / 1e3:F0}"),
        Delivery(result, p999: true),
        result.ToRedisMilliseconds is [var p50, var p99, var max] ? Format($"{p50:F1} / {p99:F1} / {max:F1}") : "–",
        Format($"{result.Producers.Max(p => p.MaxBehindNanoseconds) / 1e6:F2}"),
        Losses(result),
        ServerAndCollectorCpu(result),
    ];

    /// <summary>Not the producers': they spin between calls, which is the benchmark's pacing, not their work.</summary>
    static string ServerAndCollectorCpu(RedisRunResult result)
    {
        var (_, redis, collector) = result.CpuNanosecondsPerEvent;
        return result.Configuration.UsesRedis() ? Format($"{redis:N0} / {collector:N0}") : "–";
    }
}
