using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using static Serilog.Sinks.QueueListener.Benchmarks.Reporting.RedisThroughputTable;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// Where the collector's time went, per run through Redis (see <see cref="CollectorTimes"/>): the evidence for what
/// limits the throughput.
/// </summary>
static class RedisCollectorTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Configuration", "Run", "Window s", "Reads", "Events/read", "Read wall / CPU s", "XACKs", "XACK wall / CPU s",
        "Sinks+loop CPU s", "Listener thread CPU s", "Collector process CPU s", "redis-server CPU s",
        "Producers CPU s: callers / other threads", "B/event: producers / collector",
        "GC pause ms: producer / collector",
    ];

    public static IReadOnlyList<string> Cells(RedisRunResult result)
    {
        var t = result.CollectorTimes;
        return
        [
            result.Configuration.DisplayName(),
            result.Rate is { } rate ? Format($"{rate:N0}/s") : "full speed",
            Format($"{result.WindowSeconds:F2}"),
            Format($"{t.Reads:N0}"),
            t.Reads == 0 ? "–" : Format($"{(double)t.DequeuedEvents / t.Reads:N0}"),
            Format($"{t.ReadWallSeconds:F2} / {t.ReadCpuSeconds:F2}"),
            Format($"{t.Acknowledgements:N0}"),
            Format($"{t.AcknowledgeWallSeconds:F2} / {t.AcknowledgeCpuSeconds:F2}"),
            Format($"{t.DequeueCpuSeconds + t.OtherCpuSeconds:F2}"),
            Format($"{t.CpuSeconds:F2}"),
            Format($"{result.CollectorCpuSeconds:F2}"),
            Format($"{result.RedisCpuSeconds:F2}"),
            Format($"{result.ProducersCpuSplit.Callers:F2} / {result.ProducersCpuSplit.Others:F2}"),
            Format($"{result.AllocatedBytesPerEvent.Producers:N0} / {result.AllocatedBytesPerEvent.Collector:N0}"),
            Format($"{result.GcPauseMilliseconds.Producers:N0} / {result.GcPauseMilliseconds.Collector:N0}"),
        ];
    }
}
