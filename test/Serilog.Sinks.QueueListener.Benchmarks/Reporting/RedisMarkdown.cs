using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;
using static Serilog.Sinks.QueueListener.Benchmarks.Reporting.MarkdownReportWriter;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The <c>redis</c> mode's report: the machine, how the run was made, the three tables and the targets.
/// </summary>
static class RedisMarkdown
{
    public static string Write(RedisReport report)
    {
        var options = report.Options;
        var text = new StringBuilder();
        text.AppendLine("# Serilog.Sinks.QueueListener.Redis: across processes, end to end");
        text.AppendLine();
        Line(text, $"- Date: {report.StartedAt:yyyy-MM-dd HH:mm} UTC (the run took {report.Duration.TotalSeconds:F0} s){(options.IsQuick ? "; **quick mode: smoke-test sizes, not for publishing**" : "")}");
        Line(text, $"- Machine: {report.Machine}; redis-server {report.RedisVersion}, private to the run (loopback, no persistence).");
        Line(text, $"- Load average (1, 5, 15 min): {report.LoadAverage}. The producers, redis-server and the collector share the machine's cores; on a loaded machine the figures show the scheduler. The load at the end is mostly the run's own: two producer processes, their listeners and connections, redis-server and the collector keep about ten threads runnable.");
        Line(text, $"- {options.Producers} producer processes (this benchmark run as a child process), each calling `logger.Information(\"{ThroughputRun.Template}\", id, customer)` from one thread, after warm-up calls the collector drains before the measured run (for at least {options.WarmUp.TotalMilliseconds:F0} ms, then until the JIT has compiled nothing for 250 ms, for at most {options.MaxWarmUp.TotalSeconds:F1} s: tiered compilation goes on for seconds under full load, and a run measured before it settles measures the JIT at work). The collector, in the benchmark's process: `new QueueListener(new RedisStreamQueue(..., readCount: {options.ReadCount}{(options.PollInterval is { } poll ? Format($", pollInterval: {poll.TotalMilliseconds:F0} ms") : "")}), sink)`, its sink counting each event once by id and noting its delivery latency.");
        text.AppendLine("- Configurations: `WriteTo.Queue(a => a.RedisStream(redis, key))` (batched: up to 1,000 events an entry, the default); the same with `batchSizeLimit: 1` (one event an entry); the naive baseline, a synchronous sink doing one `XADD` per event on the caller's thread (CLEF by `CompactJsonFormatter`, the `clef` field of FORMAT.md); and, for the producer's cost, `WriteTo.Queue` into a counting sink in the producer process, no Redis. Every `WriteTo.Queue` has the defaults: buffer 10,000, `Block`. Each configuration has a stream of its own, deleted after it.");
        text.AppendLine("- Producer ns/call: the time inside the log calls over their number, in the producer process; with flush: also `Log.CloseAndFlush()`, which waits until the queue has handed everything to Redis. End-to-end events/s: from the first measured event the collector received to the last (in process: all events over the slowest producer's time with flush); from release: all events over the time from the producers' release to the last delivery, which adds the first event's way through. Delivery: from the event's timestamp (taken in the producer when the call began) to its arrival at the collector's sink; one machine, one clock. Lost / dup / failed: events that never arrived, arrived twice, or were reported to a producer's failure listener.");
        text.AppendLine("- CPU ns/event: CPU time of the producer processes (every thread, release to end of flush), of redis-server and of the benchmark process (the collector) over the run, per event; Cores busy: their sum over the run's wall time. Producer B/event: bytes allocated per event by every thread of the producer processes; GC pause: the time the garbage collector suspended the process, the longest of the producers'.");

        text.AppendLine();
        Line(text, $"## Full speed: {options.EventsPerProducer:N0} events per producer ({options.RoundTripEventsPerProducer:N0} for the two that wait for a round trip per event)");
        text.AppendLine();
        Table(text, RedisThroughputTable.Headers, report.FullSpeed.Select(RedisThroughputTable.Cells));

        text.AppendLine();
        Line(text, $"## Paced: {options.PacedRate:N0} events/s over {options.Producers} producers for {options.PacedDuration.TotalSeconds:F1} s");
        text.AppendLine();
        text.AppendLine("Each producer spins on `Stopwatch` until its next due time (the producers share one schedule, taking turns) and times every call. Caller: the worse of the producers' percentiles. CPU: redis-server's and the collector's only, since the producers spin between calls. To Redis: from the event's timestamp to the time in its entry's id, which Redis takes from its clock when it adds the entry (to the millisecond); the rest of the delivery is the collector's reading. Sent/s below the rate, marked behind, means the calls took longer than the interval: the configuration cannot keep up. The spinning producers keep as many cores busy as there are producers: on a machine with no more cores than that, the producers' listeners and connections, redis-server and the collector run only by preempting them, and every hop of an event's way may wait for the scheduler.");
        text.AppendLine();
        Table(text, RedisPacedTable.Headers, report.Paced.Select(RedisPacedTable.Cells));

        text.AppendLine();
        text.AppendLine("## Where the collector's time goes");
        text.AppendLine();
        text.AppendLine("The collector's listener thread, timed around each call to its queue: Read is `WaitToDequeue` (`XREADGROUP`, waiting for the reply, parsing the CLEF, and the naps of the poll when the stream is empty); XACK is `Acknowledge`; Sinks+loop is the rest of the thread's CPU time. Collector process CPU adds the Redis connection's threads and the garbage collector. Reads: calls of `WaitToDequeue`. The producers' CPU is split between their calling threads and the rest (the queue's listener formatting CLEF, the Redis connection, the garbage collector). B/event: bytes allocated per event by every thread of the producer processes and of the collector's; GC pause: the time the garbage collector suspended the process (the longest of the producers).");
        text.AppendLine();
        Table(text, RedisCollectorTable.Headers, report.FullSpeed.Concat(report.Paced).Where(r => r.Configuration.UsesRedis()).Select(RedisCollectorTable.Cells));

        text.AppendLine();
        text.AppendLine("## Batched entries, each side alone");
        text.AppendLine();
        Line(text, $"The producers log {options.EventsPerProducer:N0} events each into a stream nobody reads (their rate: all events over the slowest producer's time, flush included); then a collector started on the full stream drains it (its rate: every event in the stream, warm-up included, from the collector's creation to its last event; its costs are per event read). Each side then has the machine to itself: the slower one, and the CPU each needs per event, say what limits the run with both.");
        text.AppendLine();
        Table(text, RedisStagesTable.Headers, RedisStagesTable.Rows(report.Stages));

        text.AppendLine();
        text.AppendLine("## Targets");
        text.AppendLine();
        Table(text, ["Target", "Measured", "Holds"], report.Targets.Select(t => (IReadOnlyList<string>)[t.Target, t.Measured, t.Holds ? "yes" : "**no**"]));
        return text.ToString();
    }

    static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
