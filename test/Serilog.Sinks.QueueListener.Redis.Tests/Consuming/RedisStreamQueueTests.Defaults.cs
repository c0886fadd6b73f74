using System.Globalization;
using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>The defaults the README states, each observed at its boundary on a real server rather than read from a
/// constant: the stream's length limit, the delivery limit, the poll interval and the claim idle time.</summary>
public partial class RedisStreamQueueTests
{
    const int DefaultMaxStreamLength = 100_000;

    [Test]
    public void AProducerWithDefaultSettingsAddsTheHundredThousandthEntryThenWaitsUntilACollectorTrims()
    {
        // A server of its own: a hundred thousand entries are not for the run's shared one.
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var lastFiller = Fill(database, streamKey, DefaultMaxStreamLength - 1);
        // The group has read and acknowledged the filler, so its collector may trim it all.
        database.StreamCreateConsumerGroup(streamKey, Group, lastFiller);

        // The transport's defaults; the queue's shutdown timeout only keeps a failing run from waiting for room forever.
        var failures = new CollectingFailureListener();
        QueueHandle? handle = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey), shutdownTimeout: TimeSpan.FromSeconds(5),
                monitor: h => handle = h), failures)
            .CreateLogger();

        logger.Information("{Text}", "the last with room");
        Assert.That(handle!.Flush(Arrival), Is.True, "the entry that fits was not added");
        Assert.That(database.StreamLength(streamKey), Is.EqualTo(DefaultMaxStreamLength));

        logger.Information("{Text}", "one too many");
        Assert.That(failures.WaitFor("its limit", Arrival), Is.True, "the full stream was not reported");
        Assert.That(database.StreamLength(streamKey), Is.EqualTo(DefaultMaxStreamLength), "the producer added past the limit");

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(2, Arrival), Is.True, "the waiting event was not added once the collector trimmed");
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var full = failures.Failures.Single(f => f.Message.Contains("its limit", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "the last with room", "one too many" }));
            Assert.That(full.Kind, Is.EqualTo(LoggingFailureKind.Temporary));
            Assert.That(full.Message, Does.Contain($"holds {DefaultMaxStreamLength} entries"));
            // The wait is reported when it starts and when it ends, once each.
            Assert.That(failures.Failures, Has.Count.EqualTo(2));
            Assert.That(failures.Failures[^1].Message, Does.Contain("again, after"));
        });
    }

    /// <summary>Add <paramref name="count"/> entries of one event each, pipelined; returns the last one's id.</summary>
    static RedisValue Fill(IDatabase database, string streamKey, int count)
    {
        var payload = Payload("filler");
        var added = new List<Task<RedisValue>>(count);
        for (var i = 0; i < count; i++)
        {
            added.Add(database.StreamAddAsync(streamKey, RedisStreamFormat.EventsField, payload));
        }

        Assert.That(Task.WaitAll([.. added], Arrival), Is.True, "the stream was not filled");
        return added[^1].Result;
    }

    [Test]
    public void ByDefaultAnEntryIsWrittenAtItsTenthDeliveryAndReportedAsPoisonAtItsEleventh()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        var tenth = AddEntry(database, streamKey, "tenth");
        var eleventh = AddEntry(database, streamKey, "eleventh");
        database.StreamReadGroup(streamKey, Group, "one", StreamPosition.NewMessages);

        // Set the delivery counters on the server, as nine and ten crashed restarts would leave them; the queue's
        // own read of its pending entries counts one more delivery each.
        SetDeliveryCount(database, streamKey, "one", tenth, 9);
        SetDeliveryCount(database, streamKey, "one", eleventh, 10);
        Assert.That(database.StreamPendingMessages(streamKey, Group, 10, "one").Select(p => p.DeliveryCount), Is.EqualTo(new[] { 9, 10 }));

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        long dropped;
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        {
            queue.SetFailureListener(failures);
            using (var listener = new QueueListenerType(queue, sink).Start())
            {
                Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, Arrival), Is.True, "the entries were left pending");
                Assert.That(listener.Stop(Arrival), Is.True);
            }

            dropped = queue.DroppedCount;
        }

        var poison = failures.Failures.Where(f => f.Message.Contains("without being acknowledged", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "tenth" }));
            Assert.That(poison, Has.Count.EqualTo(1));
            Assert.That(poison.Select(f => f.Message), Has.All.Contains(eleventh.ToString()).And.All.Contains("delivered 11 times"));
            Assert.That(poison.SelectMany(f => f.Events).Select(TextOf), Is.EqualTo(new[] { "eleventh" }));
            Assert.That(poison.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
            Assert.That(dropped, Is.EqualTo(1));
        });
    }

    /// <summary>Set the delivery counter of a pending entry (<c>XCLAIM ... RETRYCOUNT</c>; <c>JUSTID</c> counts no
    /// delivery of its own).</summary>
    static void SetDeliveryCount(IDatabase database, string streamKey, string consumer, RedisValue id, int count) =>
        database.Execute("XCLAIM", streamKey, Group, consumer, "0", id, "RETRYCOUNT", count.ToString(CultureInfo.InvariantCulture), "JUSTID");

    /// <summary>Set how long a pending entry has been idle (<c>XCLAIM ... IDLE</c>), as if its consumer had died then.</summary>
    static void SetIdleTime(IDatabase database, string streamKey, string consumer, RedisValue id, TimeSpan idle) =>
        database.Execute("XCLAIM", streamKey, Group, consumer, "0", id, "IDLE",
            ((long)idle.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), "JUSTID");

    [Test]
    public void ByDefaultACollectorClaimsFromADeadConsumerAnEntryIdleForThirtySecondsButNotOneIdleForLess()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        var old = AddEntry(database, streamKey, "idle 33 s");
        var young = AddEntry(database, streamKey, "idle 27 s");
        database.StreamReadGroup(streamKey, Group, "dead", StreamPosition.NewMessages);
        AddEntry(database, streamKey, "new");

        // Three seconds either side of the default, as if the dead consumer had read them that long ago: the margin
        // covers the collector's start before its first sweep.
        SetIdleTime(database, streamKey, "dead", old, TimeSpan.FromSeconds(33));
        SetIdleTime(database, streamKey, "dead", young, TimeSpan.FromSeconds(27));
        Assert.That(database.StreamPendingMessages(streamKey, Group, 10, "dead").Select(p => p.IdleTimeInMilliseconds),
            Has.Exactly(1).InRange(33_000, 34_000).And.Exactly(1).InRange(27_000, 28_000));

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "alive" }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            // The sweep at the first read comes before the new entries: once "new" is written, the sweep is over.
            Assert.That(sink.WaitUntil(events => events.Select(TextOf).Contains("new"), Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var leftWithTheDead = database.StreamPendingMessages(streamKey, Group, 10, "dead");
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "idle 33 s", "new" }));
            Assert.That(leftWithTheDead.Select(p => p.MessageId), Is.EqualTo(new[] { young }));
        });
    }

    [Test]
    public void ByDefaultAnIdleStreamIsReadAboutEveryFiftyMilliseconds()
    {
        // A server of its own, so that every read it counts is this queue's.
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var sink = new CollectingSink();

        using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        using var listener = new QueueListenerType(queue, sink).Start();
        AddEntry(database, streamKey, "only");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        // The window is the measurement: past the busy 100 ms and the doubling from 1 ms, two seconds of reads of an
        // idle stream. At 50 ms, 40 reads at most; at 25 ms it would be 80, at 100 ms 20.
        Thread.Sleep(500);
        var before = ReadCalls(database);
        Thread.Sleep(2000);
        var reads = ReadCalls(database) - before;

        TestContext.Out.WriteLine($"{reads} XREADGROUP calls in 2 s");
        Assert.That(reads, Is.InRange(30, 41));
    }
}
