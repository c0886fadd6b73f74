using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using static Serilog.Sinks.QueueListener.Benchmarks.Reporting.RedisThroughputTable;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The cells of the each-side-alone table (see <see cref="StagedRunResult"/>): two rows, the producers into Redis and
/// Redis into the collector.
/// </summary>
static class RedisStagesTable
{
    public static IReadOnlyList<string> Headers { get; } =
    [
        "Side, alone", "Events/s", "CPU ns/event: its processes", "CPU ns/event: redis-server", "Detail",
    ];

    public static IEnumerable<IReadOnlyList<string>> Rows(StagedRunResult result)
    {
        var callers = result.Producers.Sum(p => p.CallerCpuNanoseconds) / result.Events;
        yield return
        [
            "Producers → Redis (nobody reading)",
            Format($"{result.ProducersEventsPerSecond:N0}"),
            Format($"{result.ProducersCpuNanosecondsPerEvent:N0}"),
            Format($"{result.ProducersRedisCpuNanosecondsPerEvent:N0}"),
            Format($"callers {callers:N0} ns/event, other threads {result.ProducersCpuNanosecondsPerEvent - callers:N0}; producer ns/call {result.Producers.Average(p => p.NanosecondsPerCall):N0}; {result.ProducersAllocatedBytesPerEvent:N0} B/event, GC pauses {result.Producers.Max(p => p.GcPauseNanoseconds) / 1e6:N0} ms"),
        ];

        var times = result.CollectorTimes;
        var read = times.DequeuedEvents == 0 ? double.NaN : 1e9 / times.DequeuedEvents;
        yield return
        [
            "Redis → collector (nobody writing)",
            Format($"{result.CollectorEventsPerSecond:N0}"),
            Format($"{result.CollectorCpuNanosecondsPerEvent:N0}"),
            Format($"{result.CollectorRedisCpuNanosecondsPerEvent:N0}"),
            Format($"listener thread: read {times.ReadCpuSeconds * read:N0} ns/event CPU ({times.ReadWallSeconds * read:N0} wall), XACK {times.AcknowledgeCpuSeconds * read:N0} CPU ({times.AcknowledgeWallSeconds * read:N0} wall), sinks+loop {(times.DequeueCpuSeconds + times.OtherCpuSeconds) * read:N0}; {times.Reads:N0} reads; {result.CollectorAllocatedBytesPerEvent:N0} B/event, GC pauses {result.CollectorCosts.GcPause.TotalMilliseconds:N0} ms"),
        ];
    }
}
