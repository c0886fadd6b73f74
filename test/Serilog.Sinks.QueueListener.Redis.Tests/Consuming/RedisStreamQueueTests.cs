using System.Diagnostics;
using System.Globalization;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

public partial class RedisStreamQueueTests
{
    static readonly TimeSpan Arrival = StreamEvents.Arrival;

    static string NewStreamKey() => StreamEvents.NewStreamKey("logs");

    static void Produce(string configuration, string streamKey, string producer, int count, int start = 0)
    {
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream(configuration, streamKey))
            .CreateLogger();
        for (var i = start; i < start + count; i++)
        {
            logger.Information("Event {N} from {Producer} with {@Payload}", i, producer, new { Index = i, Tags = new[] { "a", "b" } });
        }
    }

    static int[] NumbersFrom(IEnumerable<Serilog.Events.LogEvent> events, string? producer = null) =>
    [
        .. events
            .Where(e => producer is null || e.Properties["Producer"].ToString() == "\"" + producer + "\"")
            .Select(e => int.Parse(e.Properties["N"].ToString(), CultureInfo.InvariantCulture)),
    ];

    [Test]
    public void EventsLoggedByAProducerArriveInOrderAndComplete()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        const int count = 3000;
        Produce(server.Configuration, streamKey, "p", count);

        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration, streamKey);
        using (new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(count, Arrival), Is.True, $"{sink.Events.Count} of {count} arrived");
        }

        var events = sink.Events;
        Assert.Multiple(() =>
        {
            Assert.That(NumbersFrom(events), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(events[7].RenderMessage(CultureInfo.InvariantCulture),
                Is.EqualTo("Event 7 from \"p\" with { Index: 7, Tags: [\"a\", \"b\"] }"));
        });
    }

    [Test]
    public void EventsFromManyProducersAllArriveEachInItsOrder()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        const int each = 1000;
        var producers = new[] { "p0", "p1", "p2" };

        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration, streamKey);
        using (new QueueListenerType(queue, sink).Start())
        {
            Parallel.ForEach(producers, p => Produce(server.Configuration, streamKey, p, each));
            Assert.That(sink.WaitFor(each * producers.Length, Arrival), Is.True,
                $"{sink.Events.Count} of {each * producers.Length} arrived");
        }

        var events = sink.Events;
        Assert.That(events, Has.Count.EqualTo(each * producers.Length));
        foreach (var producer in producers)
        {
            Assert.That(NumbersFrom(events, producer), Is.EqualTo(Enumerable.Range(0, each)), producer);
        }
    }

    [Test]
    public void WhatAStoppedListenerHasNotReadStaysForTheNextListenerOfTheGroup()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);

        Produce(server.Configuration, streamKey, "p", 10);
        var first = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "group", ConsumerName = "one" }))
        using (var listener = new QueueListenerType(queue, first).Start())
        {
            Assert.That(first.WaitFor(10, Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        Produce(server.Configuration, streamKey, "p", 10, start: 10);
        var second = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "group", ConsumerName = "two" }))
        using (new QueueListenerType(queue, second).Start())
        {
            Assert.That(second.WaitFor(10, Arrival), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(NumbersFrom(first.Events), Is.EqualTo(Enumerable.Range(0, 10)));
            Assert.That(NumbersFrom(second.Events), Is.EqualTo(Enumerable.Range(10, 10)));
        });
    }

    [Test]
    public void AFlushOfTheProducerReturnsOnceItsEventsAreInTheStream()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        QueueHandle? handle = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream(connection, streamKey), monitor: q => handle = q)
            .CreateLogger();

        for (var i = 0; i < 500; i++)
        {
            logger.Information("Event {N}", i);
        }

        Assert.That(handle!.Flush(Arrival), Is.True);
        var entries = connection.GetDatabase().StreamRange(streamKey);
        var events = entries.Sum(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!).Count);
        Assert.Multiple(() =>
        {
            Assert.That(events, Is.EqualTo(500));
            Assert.That(entries, Has.Length.LessThanOrEqualTo(500));
        });
    }

    [Test]
    public void AnEntryAddedAfterAShortLullIsReadWithinAFractionOfALongPollInterval()
    {
        var server = RedisServer.Shared;
        var streamKey = "lull-" + Guid.NewGuid().ToString("N");
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var sink = new CollectingSink();
        var pollInterval = TimeSpan.FromSeconds(2);

        using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", PollInterval = pollInterval });
        using var listener = new QueueListenerType(queue, sink).Start();
        AddEntry(database, streamKey, "first");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        // The lull: longer than the time a stream counts as busy after a read (100 ms), far shorter than the poll
        // interval. It is the scenario, not a wait for a result.
        Thread.Sleep(150);
        var added = Stopwatch.StartNew();
        AddEntry(database, streamKey, "second");
        Assert.That(sink.WaitFor(2, Arrival), Is.True);
        added.Stop();

        // Its wait starts again from milliseconds when the stream goes quiet, rather than at the poll interval.
        TestContext.Out.WriteLine($"read {added.ElapsedMilliseconds} ms after it was added");
        Assert.That(added.Elapsed, Is.LessThan(pollInterval / 4));
    }

    [Test]
    public void AnIdleStreamIsReadAboutOncePerPollIntervalEvenWhenItIsLongerThanTheListenersOwnWait()
    {
        // A server of its own, so that every read it counts is this queue's.
        using var server = RedisServer.Start();
        var streamKey = "idle-" + Guid.NewGuid().ToString("N");
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var sink = new CollectingSink();

        using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", PollInterval = TimeSpan.FromSeconds(1) });
        using var listener = new QueueListenerType(queue, sink).Start();
        AddEntry(database, streamKey, "only");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        // The window is the measurement: reads past the busy 100 ms and the doubling's first half second, over three
        // poll intervals. The listener looks at its state every 100 ms, which used to end each wait with a read:
        // about 30 of them here.
        Thread.Sleep(500);
        var before = ReadCalls(database);
        Thread.Sleep(3000);
        var reads = ReadCalls(database) - before;

        TestContext.Out.WriteLine($"{reads} XREADGROUP calls in 3 s");
        Assert.That(reads, Is.LessThanOrEqualTo(10));
    }

    static long ReadCalls(IDatabase database)
    {
        var stats = database.Execute("INFO", "commandstats").ToString();
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_xreadgroup:", StringComparison.Ordinal));
        if (line is null) return 0;

        var calls = line.Split(':', ',').First(p => p.StartsWith("calls=", StringComparison.Ordinal));
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    [Test]
    public void AnEventEnqueuedOnTheQueueItselfGoesThroughTheStream()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration, streamKey);
        using (var listener = new QueueListenerType(queue, sink).Start())
        using (var logger = new LoggerConfiguration().WriteTo.Sink(new QueueSink(queue)).CreateLogger())
        {
            logger.Warning("Through {Where}", "redis");
            Assert.That(sink.WaitFor(1, Arrival), Is.True);
        }

        Assert.That(sink.Events.Single().RenderMessage(CultureInfo.InvariantCulture), Is.EqualTo("Through \"redis\""));
    }
}
