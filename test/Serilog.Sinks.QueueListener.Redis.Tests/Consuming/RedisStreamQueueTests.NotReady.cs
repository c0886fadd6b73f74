using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using Serilog.Sinks.QueueListener.Testing;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>A collector waits out a Redis that is there but answers that it is not ready (<c>BUSY</c>,
/// <c>MASTERDOWN</c>) as it waits out one it cannot reach: reported once, never a stopped listener, nothing lost or
/// written twice.</summary>
public partial class RedisStreamQueueTests
{
    /// <summary>Longer than the listener's run of ten queue faults with its doubling backoff (about a second), so that a
    /// refusal taken for a fault would stop the listener within the outage.</summary>
    static readonly TimeSpan NotReadyOutage = TimeSpan.FromSeconds(2);

    const int EventsPerPhase = 50;

    [Test]
    public void ACollectorWaitsOutAServerBusyWithALongScriptReportingItOnceAndWritesEveryEventOnce()
    {
        // A script that runs past 100 ms makes every other client's command answer BUSY until it is killed.
        using var server = RedisServer.Start(appendOnly: false, "--busy-reply-threshold", "100");
        using var scripts = ConnectionMultiplexer.Connect(server.Configuration);
        Task<RedisResult>? script = null;

        WaitOutAnOutage(server, "BUSY",
            begin: () => script = scripts.GetDatabase().ExecuteAsync("EVAL", "while true do end", "0"),
            end: () =>
            {
                Assert.That(RedisProcess.Send(server.Port, "SCRIPT KILL"), Is.EqualTo("+OK"));
                Assert.That(() => script!.Wait(Arrival), Throws.InstanceOf<AggregateException>(), "the script was not killed");
            });
    }

    [Test]
    public void ACollectorWaitsOutAReplicaWhosePrimaryIsDownReportingItOnceAndWritesEveryEventOnce()
    {
        // A replica that does not serve stale data answers MASTERDOWN to reads while its link to the primary is down;
        // one that is not read-only lets the group's commands through once it is a primary again.
        using var server = RedisServer.Start(appendOnly: false, "--replica-serve-stale-data", "no", "--replica-read-only", "no");
        var deadPrimary = RedisServer.FreeLoopbackPort();

        WaitOutAnOutage(server, "MASTERDOWN",
            begin: () => Assert.That(RedisProcess.Send(server.Port, $"REPLICAOF 127.0.0.1 {deadPrimary}"), Is.EqualTo("+OK")),
            end: () => Assert.That(RedisProcess.Send(server.Port, "REPLICAOF NO ONE"), Is.EqualTo("+OK")));
    }

    /// <summary>
    /// Log numbered events before an outage that <paramref name="begin"/> starts, during it once the collector has
    /// met it, and after <paramref name="end"/> ends it; then check that the collector met the refusal
    /// <paramref name="refusal"/>, reported it once, kept running, and wrote every event exactly once.
    /// </summary>
    static void WaitOutAnOutage(RedisServer server, string refusal, Action begin, Action end)
    {
        var streamKey = NewStreamKey();
        var failures = new CollectingFailureListener();
        var producerFailures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink);
        listener.SetFailureListener(failures);
        listener.Start();

        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey), fullMode: QueueFullMode.Block,
                       shutdownTimeout: Arrival), producerFailures)
                   .CreateLogger())
        {
            LogNumbered(logger, 0);
            Assert.That(sink.WaitFor(EventsPerPhase, Arrival), Is.True, "the events logged before the outage did not arrive");

            begin();
            // Any report: the one the queue makes when it waits the outage out, or the listener's about a faulting queue.
            Assert.That(failures.WaitFor(string.Empty, Arrival), Is.True, "the collector did not meet the outage");
            LogNumbered(logger, EventsPerPhase);

            // The outage's length is the scenario, not a wait for a result.
            Thread.Sleep(NotReadyOutage);
            var runningInTheOutage = listener.IsRunning;
            end();
            LogNumbered(logger, 2 * EventsPerPhase);

            Assert.That(runningInTheOutage, Is.True, "the listener stopped during the outage");
        }

        const int count = 3 * EventsPerPhase;
        var arrived = sink.WaitUntil(events => events.Select(StreamEvents.NumberOf).Distinct().Count() == count, Arrival);
        var reads = failures.Failures.Where(f => f.Message.Contains("failed reading", StringComparison.Ordinal)).ToList();
        var reports = string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}"));
        Assert.Multiple(() =>
        {
            Assert.That(arrived, Is.True, $"{sink.Events.Select(StreamEvents.NumberOf).Distinct().Count()} of {count} arrived");
            Assert.That(sink.Events.Select(StreamEvents.NumberOf).Order(), Is.EqualTo(Enumerable.Range(0, count)),
                "an event was lost or written twice");
            Assert.That(reads, Has.Count.EqualTo(1), "the outage was not reported exactly once: " + reports);
            Assert.That(reads.Select(f => f.Exception), Has.All.InstanceOf<RedisServerException>()
                .With.Message.StartsWith(refusal), "the collector did not meet the refusal staged: " + reports);
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), reports);
            Assert.That(producerFailures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
            Assert.That(listener.IsRunning, Is.True, "the listener stopped");
        });
    }

    static void LogNumbered(ILogger logger, int first)
    {
        for (var n = first; n < first + EventsPerPhase; n++)
        {
            logger.Information("Event {N}", n);
        }
    }
}
