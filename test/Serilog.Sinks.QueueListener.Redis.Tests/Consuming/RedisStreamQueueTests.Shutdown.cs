using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>A listener stopped in the middle of a batch: what it wrote is acknowledged, nothing else.</summary>
public partial class RedisStreamQueueTests
{
    static void AddEntries(IDatabase database, string streamKey, int count)
    {
        for (var i = 0; i < count; i++)
        {
            AddEntry(database, streamKey, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void DisposingAListenerMidBatchWritesAndAcknowledgesWhatItReadAndLeavesTheRestForTheNextCollector()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 300;
        AddEntries(database, streamKey, count);

        using var gated = new GatedSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", ReadCount = 20 }))
        {
            var listener = new QueueListenerType(queue, gated).Start();
            Assert.That(gated.WaitEntered(Arrival), Is.True);
            var disposing = Task.Run(listener.Dispose);
            gated.Open();
            Assert.That(disposing.Wait(Arrival), Is.True, "disposal hung");
        }

        var first = gated.Written.Events.Select(TextOf).ToList();
        var pendingAfterFirst = PendingCount(database, streamKey);
        var second = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "two" }))
        using (var listener = new QueueListenerType(queue, second).Start())
        {
            Assert.That(second.WaitFor(count - first.Count, Arrival), Is.True, $"{second.Events.Count} of {count - first.Count} arrived");
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        TestContext.Out.WriteLine($"the first collector wrote {first.Count}");
        Assert.Multiple(() =>
        {
            Assert.That(first, Has.Count.InRange(1, count - 1), "the disposal was not in the middle");
            Assert.That(pendingAfterFirst, Is.Zero, "what the first collector wrote was not acknowledged");
            Assert.That(first.Concat(second.Events.Select(TextOf)), Is.EqualTo(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void EntriesOfEventsAShutdownGaveUpOnAreReportedAsLeftPendingForTheGroupAndAreReadAgainByTheConsumersNextStart()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 20;
        AddEntries(database, streamKey, count);

        var failures = new CollectingFailureListener();
        using var gated = new GatedSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        {
            // A sink that owns the listener bounds its shutdown.
            queue.SetFailureListener(failures);
            var owner = new QueueSink(queue, new QueueListenerType(queue, gated), TimeSpan.FromMilliseconds(200));
            owner.SetFailureListener(failures);
            owner.Listener!.Start();
            Assert.That(gated.WaitEntered(Arrival), Is.True);

            // The sink is stuck: the shutdown gives up on it, and says what it had not written; then the abandoned
            // listener finishes the event it was writing.
            owner.Dispose();
            gated.Open();
            Assert.That(gated.Written.WaitFor(1, Arrival), Is.True);
        }

        var written = gated.Written.Events.Select(TextOf).ToList();
        var pendingBetween = PendingCount(database, streamKey);
        var again = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        using (var listener = new QueueListenerType(queue, again).Start())
        {
            Assert.That(again.WaitUntil(e => written.Concat(e.Select(TextOf)).Distinct().Count() == count, Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var reports = failures.Failures;
        TestContext.Out.WriteLine($"written {written.Count}, pending {pendingBetween}, read again {again.Events.Count}; " +
                                  string.Join(" | ", reports.Select(f => $"{f.Kind}: {f.Message}")));
        Assert.Multiple(() =>
        {
            Assert.That(pendingBetween, Is.GreaterThan(0));
            Assert.That(reports.Where(f => f.Kind == LoggingFailureKind.Temporary).Select(f => f.Message),
                Has.Some.Contains($"were not written by this listener: they are left pending in the redis stream {streamKey} for group {Group}; the next collector of the group claims them"));
            Assert.That(reports.Select(f => f.Message),
                Has.One.StartsWith($"{pendingBetween} entries this collector read and did not acknowledge are left pending in the redis stream {streamKey} for group {Group}"));
            Assert.That(reports.Where(f => f.Kind == LoggingFailureKind.Final).Select(f => f.Message), Has.None.Contains("were not written"),
                "events left pending for the group were reported as lost");
            Assert.That(reports.Where(f => f.Kind != LoggingFailureKind.Final).SelectMany(f => f.Events), Is.Empty,
                "events left pending were handed to the failure listener, which may write them elsewhere");
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }
}
