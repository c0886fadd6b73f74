using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Producing;

/// <summary>Bounded everywhere: producers cap the stream, collectors trim only what every group has acknowledged,
/// and what cannot be kept is counted and reported.</summary>
public class RedisStreamBoundsTests
{
    static readonly TimeSpan Arrival = StreamEvents.Arrival;

    static string NewStreamKey() => StreamEvents.NewStreamKey("bounds");

    static int NumberOf(LogEvent logEvent) => StreamEvents.NumberOf(logEvent);

    static List<int> NumbersInStream(IDatabase database, string streamKey) =>
    [
        .. database.StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(NumberOf),
    ];

    [Test]
    public void InBlockModeAProducerWaitsAtTheLengthLimitAndLosesNothingOnceACollectorCatchesUp()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 300;
        const int limit = 3;
        var failures = new CollectingFailureListener();
        var logged = 0;

        using var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey, batchSizeLimit: 5, maxStreamLength: limit),
                bufferSize: 10, fullMode: QueueFullMode.Block), failures)
            .CreateLogger();
        var logging = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                logger.Information("Event {N}", i);
                Interlocked.Increment(ref logged);
            }
        });

        Assert.That(failures.WaitFor("its limit", Arrival), Is.True, "the full stream was not reported");
        var loggedBeforeCollector = Volatile.Read(ref logged);
        var longest = database.StreamLength(streamKey);

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        using (new QueueListenerType(queue, sink).Start())
        {
            // Polled, as the evidence that the limit held all along; the cap itself is one script in Redis.
            var deadline = DateTime.UtcNow + Arrival;
            while (!sink.WaitFor(count, TimeSpan.FromMilliseconds(20)))
            {
                longest = Math.Max(longest, database.StreamLength(streamKey));
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{sink.Events.Count} of {count} arrived");
            }

            Assert.That(logging.Wait(Arrival), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(loggedBeforeCollector, Is.LessThan(count), "logging did not wait for room in the stream");
            Assert.That(longest, Is.LessThanOrEqualTo(limit), "the stream grew past its limit");
            Assert.That(sink.Events.Select(NumberOf), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
            Assert.That(database.StreamLength(streamKey), Is.Zero, "acknowledged entries left in the stream");
        });
    }

    [Test]
    public void AnEntryStopsTakingEventsOnceItsLinesReachTheByteLimitWhateverTheBatchSizeLimit()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        const int count = 400;
        var text = new string('x', 1000);
        // Each line is a little over 1,000 bytes, so an entry at the limit has 64 of them or a few fewer; with only
        // the batch size limit it would take up to 1,000.
        const int mostPerEntry = HeldBatches.EntryByteLimit / 1000 + 1;

        // A stream of one entry at most keeps the next batch waiting, so that it fills up to a limit.
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream(server.Configuration, streamKey, maxStreamLength: 1), bufferSize: count)
            .CreateLogger();
        for (var i = 0; i < count; i++)
        {
            logger.Information("Event {N} {Text}", i, text);
        }

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        using (new QueueListenerType(queue, sink).Start())
        {
            logger.Dispose();
            Assert.That(sink.WaitFor(count, Arrival), Is.True, $"{sink.Events.Count} of {count} arrived");
        }

        var perEntry = sink.Events.GroupBy(e => e.Properties[RedisStreamQueue.EntryIdPropertyName].ToString()).Select(g => g.Count()).ToList();
        TestContext.Out.WriteLine($"{perEntry.Count} entries of {perEntry.Min()} to {perEntry.Max()} events");
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(NumberOf), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(perEntry.Max(), Is.GreaterThan(mostPerEntry / 2), "the events were not batched");
            Assert.That(perEntry.Max(), Is.LessThanOrEqualTo(mostPerEntry));
        });
    }

    [Test]
    public void InADropModeEveryEventThatFindsTheStreamFullIsReportedWithItsEvent()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 2000;
        var failures = new CollectingFailureListener();

        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey, batchSizeLimit: 10, maxStreamLength: 2),
                bufferSize: 10, fullMode: QueueFullMode.DropIncoming), failures)
            .CreateLogger();
        for (var i = 0; i < count; i++)
        {
            logger.Information("Event {N}", i);
        }

        // Make room, so that what the producer still holds can go when it is disposed; by then every drop has been
        // reported, and the rest is in the stream.
        var sink = new CollectingSink();
        List<int> dropped;
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        using (new QueueListenerType(queue, sink).Start())
        {
            logger.Dispose();
            dropped = [.. failures.Failures.Where(f => f.Kind != LoggingFailureKind.Temporary).SelectMany(f => f.Events).Select(NumberOf)];
            Assert.That(sink.WaitFor(count - dropped.Count, Arrival), Is.True, $"{sink.Events.Count} written, {dropped.Count} dropped");
        }

        var written = sink.Events.Select(NumberOf).ToList();
        TestContext.Out.WriteLine($"{written.Count} written, {dropped.Count} dropped and reported");
        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.Not.Empty);
            Assert.That(written.Concat(dropped).Order(), Is.EqualTo(Enumerable.Range(0, count)), "each event is written or reported, once");
        });
    }

    [Test]
    public void EntriesAnotherGroupHasNotReadAreNotTrimmed()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, "archive", StreamPosition.Beginning, createStream: true);
        const int count = 500;
        using (var logger = new LoggerConfiguration().WriteTo.Queue(a => a.RedisStream(connection, streamKey)).CreateLogger())
        {
            for (var i = 0; i < count; i++) logger.Information("Event {N}", i);
        }

        var entries = database.StreamLength(streamKey);
        var first = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        using (new QueueListenerType(queue, first).Start())
        {
            Assert.That(first.WaitFor(count, Arrival), Is.True);
        }

        var lengthWhileArchiveUnread = database.StreamLength(streamKey);
        var second = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "archive", ConsumerName = "one" }))
        using (new QueueListenerType(queue, second).Start())
        {
            Assert.That(second.WaitFor(count, Arrival), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(lengthWhileArchiveUnread, Is.EqualTo(entries), "an entry the archive group had not read was trimmed");
            Assert.That(second.Events.Select(NumberOf), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(database.StreamLength(streamKey), Is.Zero, "entries both groups acknowledged are left in the stream");
        });
    }

    [Test]
    public void AnEntryAnotherCollectorOfTheGroupHoldsIsNotTrimmedWhileTheOtherWritesAndTrimsTheRest()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        using var slow = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "slow" });
        var fast = new CollectingSink();
        using var fastQueue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "fast" });
        using var fastListener = new QueueListenerType(fastQueue, fast);

        // The slow collector reads the first entry and is still writing it; the fast one takes everything after it.
        var held = database.StreamAdd(streamKey, RedisStreamFormat.EventsField, Line(0));
        Assert.That(slow.WaitToDequeue(Arrival), Is.True);
        var taken = new LogEvent[10];
        Assert.That(slow.TryDequeue(taken, out _), Is.EqualTo(1));
        fastListener.Start();
        const int count = 200;
        for (var i = 1; i <= count; i++)
        {
            database.StreamAdd(streamKey, RedisStreamFormat.EventsField, Line(i));
        }

        Assert.That(fast.WaitFor(count, Arrival), Is.True, $"{fast.Events.Count} of {count} arrived");
        Assert.That(Poll.Until(() => database.StreamPending(streamKey, "collectors").PendingMessageCount == 1, Arrival), Is.True,
            "the fast collector did not acknowledge what it wrote");
        // The fast collector trimmed at its first acknowledgement, and every 100 ms at most after it.
        var heldWhileUnacknowledged = database.StreamRange(streamKey, held, held).Length;
        var lengthWhileHeld = database.StreamLength(streamKey);

        slow.Acknowledge();
        Assert.That(Poll.Until(() => database.StreamLength(streamKey) == 0, Arrival), Is.True,
            $"{database.StreamLength(streamKey)} entries left once every one was acknowledged");
        Assert.Multiple(() =>
        {
            Assert.That(heldWhileUnacknowledged, Is.EqualTo(1), "the entry the slow collector held was trimmed");
            Assert.That(lengthWhileHeld, Is.EqualTo(count + 1), "entries behind the held one were trimmed");
            Assert.That(fast.Events.Select(NumberOf), Is.EqualTo(Enumerable.Range(1, count)), "each entry went to one collector");
            Assert.That(NumberOf(taken[0]), Is.Zero);
        });
    }

    static byte[] Line(int number)
    {
        using var writer = new ClefWriter();
        writer.Write(Capture.One(l => l.Information("Event {N}", number)));
        return writer.TakePayload();
    }

    [Test]
    public void AtRedisMaxmemoryProducersWaitWhileTheCollectorReadsAndTrimsAndNothingIsLost()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var redis = connection.GetServer(connection.GetEndPoints()[0]);
        var used = long.Parse(redis.Info("memory").SelectMany(g => g).Single(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
        // Room for about 1,000 of the events below: the 5,000 fit only as the collector trims what it wrote.
        redis.ConfigSet("maxmemory", (used + 2 * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
        redis.ConfigSet("maxmemory-policy", "noeviction");
        const int count = 5000;
        var text = new string('x', 2000);
        var failures = new CollectingFailureListener();

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        using (new QueueListenerType(queue, sink).Start())
        {
            using (var logger = new LoggerConfiguration()
                       .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey), bufferSize: 100), failures)
                       .CreateLogger())
            {
                for (var i = 0; i < count; i++)
                {
                    logger.Information("Event {N} {Text}", i, text);
                }
            }

            Assert.That(sink.WaitFor(count, Arrival), Is.True, $"{sink.Events.Count} of {count} arrived");
        }

        var reports = string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}"));
        TestContext.Out.WriteLine(reports);
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(NumberOf), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), reports);
        });
    }

    [Test]
    public void WithRedisAclsTheCommandsTheReadmeListsAreEnoughForProducersAndCollectors()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        // The README's lists.
        redis.Execute("ACL", "SETUSER", "producer", "on", ">producer-pw", "~" + streamKey, "+eval", "+evalsha", "+xlen", "+xadd", "+echo");
        redis.Execute("ACL", "SETUSER", "collector", "on", ">collector-pw", "~" + streamKey, "+eval", "+evalsha", "+exists", "+xinfo",
            "+xpending", "+xrange", "+xtrim", "+xgroup|create", "+xreadgroup", "+xautoclaim", "+xack", "+echo");
        const int count = 300;
        var failures = new CollectingFailureListener();

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration + ",user=collector,password=collector-pw", streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        {
            queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, sink);
            listener.SetFailureListener(failures);
            listener.Start();
            using (var logger = new LoggerConfiguration()
                       .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration + ",user=producer,password=producer-pw", streamKey,
                           maxStreamLength: 10), shutdownTimeout: Arrival), failures)
                       .CreateLogger())
            {
                for (var i = 0; i < count; i++)
                {
                    logger.Information("Event {N}", i);
                }
            }

            // Within the suite's arrival time, as a loaded machine needs: the collector's connection may be slow to come.
            Assert.That(sink.WaitFor(count, Arrival), Is.True,
                () => $"{sink.Events.Count} of {count} arrived; " + string.Join(" | ", failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}")));
        }

        // The queue trims what it acknowledged when it is disposed, if not before.
        Assert.Multiple(() =>
        {
            Assert.That(failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}"), Is.Empty);
            Assert.That(admin.GetDatabase().StreamLength(streamKey), Is.Zero, "the collector did not trim");
        });
    }

    [Test]
    public void TheLengthLimitIsCheckedAtConfiguration()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LoggerConfiguration().WriteTo.RedisStream("localhost:1,abortConnect=false", "logs", maxStreamLength: 0));
        Assert.That(exception!.ParamName, Is.EqualTo("maxStreamLength"));
    }
}
