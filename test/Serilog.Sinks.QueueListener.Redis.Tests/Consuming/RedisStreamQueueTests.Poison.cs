using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>What cannot be written is reported and acknowledged: poison entries, entries deleted while
/// pending.</summary>
public partial class RedisStreamQueueTests
{
    /// <summary>Deliver the group's pending entries of <paramref name="consumer"/> again, as a restart of it
    /// would.</summary>
    static void Redeliver(IDatabase database, string streamKey, string consumer) =>
        database.StreamReadGroup(streamKey, Group, consumer, "0-0");

    [Test]
    public void AnEntryDeliveredMoreOftenThanTheLimitIsReportedWithItsEventsAndAcknowledged()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        var poison = AddEntry(database, streamKey, "kills", "its consumer");
        database.StreamReadGroup(streamKey, Group, "one", StreamPosition.NewMessages);
        // Two deliveries so far; the queue's own read makes three, past a limit of two.
        Redeliver(database, streamKey, "one");
        AddEntry(database, streamKey, "fine");

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        long dropped;
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", MaxDeliveryCount = 2 }))
        {
            queue.SetFailureListener(failures);
            using (var listener = new QueueListenerType(queue, sink).Start())
            {
                Assert.That(sink.WaitFor(1, Arrival), Is.True);
                Assert.That(listener.Stop(Arrival), Is.True);
            }

            dropped = queue.DroppedCount;
        }

        var report = failures.Failures.Single(f => f.Message.Contains(poison.ToString(), StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "fine" }));
            Assert.That(report.Kind, Is.EqualTo(LoggingFailureKind.Permanent));
            Assert.That(report.Message, Does.Contain("delivered 3 times"));
            Assert.That(report.Events.Select(TextOf), Is.EqualTo(new[] { "kills", "its consumer" }));
            Assert.That(dropped, Is.EqualTo(2));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void AnEntryAnotherConsumerLeftPastTheDeliveryLimitIsReportedWithItsEventsWhenClaimed()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        var poison = AddEntry(database, streamKey, "killed", "the dead one");
        var fine = AddEntry(database, streamKey, "fine");
        // The dead consumer was delivered both twice (it restarted once); the claim makes three, past a limit of two,
        // for the first only: the second it had acknowledged.
        database.StreamReadGroup(streamKey, Group, "dead", StreamPosition.NewMessages);
        Redeliver(database, streamKey, "dead");
        database.StreamAcknowledge(streamKey, Group, fine);
        AddEntry(database, streamKey, "new");

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        long dropped;
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "alive", ClaimIdleTime = TimeSpan.FromMilliseconds(1), MaxDeliveryCount = 2 }))
        {
            queue.SetFailureListener(failures);
            using (var listener = new QueueListenerType(queue, sink).Start())
            {
                Assert.That(failures.WaitFor(poison.ToString(), Arrival), Is.True, "the poison entry was not reported");
                Assert.That(sink.WaitFor(1, Arrival), Is.True);
                Assert.That(listener.Stop(Arrival), Is.True);
            }

            dropped = queue.DroppedCount;
        }

        var report = failures.Failures.Single(f => f.Message.Contains(poison.ToString(), StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "new" }));
            Assert.That(report.Kind, Is.EqualTo(LoggingFailureKind.Permanent));
            Assert.That(report.Message, Does.Contain("delivered 3 times"));
            Assert.That(report.Events.Select(TextOf), Is.EqualTo(new[] { "killed", "the dead one" }));
            Assert.That(dropped, Is.EqualTo(2));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void OnlyTheEntryWhoseWritingKillsTheCollectorEachTimeIsReportedAsPoisonNotThoseReadWithIt()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        foreach (var text in new[] { "a", "b", "poison", "c", "d" })
        {
            AddEntry(database, streamKey, text);
        }

        // Each start under the same name re-reads the pending entries, and the sink hangs on the poison event until
        // the shutdown gives up on the listener, as a crash would leave things: nothing of the batch acknowledged.
        const int maxDeliveryCount = 2;
        for (var start = 0; start < maxDeliveryCount; start++)
        {
            using var hanging = new GatedSink();
            using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", MaxDeliveryCount = maxDeliveryCount });
            var owner = new QueueSink(queue, new QueueListenerType(queue, new PoisonedSink(hanging)), TimeSpan.FromMilliseconds(100));
            owner.SetFailureListener(new CollectingFailureListener());
            owner.Listener!.Start();
            Assert.That(hanging.WaitEntered(Arrival), Is.True);
            owner.Dispose();
        }

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", MaxDeliveryCount = maxDeliveryCount }))
        {
            queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, sink).Start();
            Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, Arrival), Is.True);
        }

        var poisoned = failures.Failures.Where(f => f.Message.Contains("without being acknowledged", StringComparison.Ordinal))
            .SelectMany(f => f.Events).Select(TextOf).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(poisoned, Is.EqualTo(new[] { "poison" }));
            Assert.That(sink.Events.Select(TextOf), Is.SupersetOf(new[] { "c", "d" }), "events never written were dropped with the poison");
        });
    }

    /// <summary>Writes every event but the one whose text is "poison", on which it hangs in <see cref="GatedSink"/>.</summary>
    sealed class PoisonedSink(GatedSink hanging) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent)
        {
            if (TextOf(logEvent) == "poison") hanging.Emit(logEvent);
        }
    }

    [Test]
    public void AnEntryDeliveredUpToTheLimitIsWritten()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        AddEntry(database, streamKey, "survived", "two crashes");
        database.StreamReadGroup(streamKey, Group, "one", StreamPosition.NewMessages);
        Redeliver(database, streamKey, "one");

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", MaxDeliveryCount = 3 }))
        using (new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(2, Arrival), Is.True);
        }

        Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "survived", "two crashes" }));
    }

    /// <summary>The consumer that held the entry restarts (and re-reads its pending list), or another claims the
    /// dead one's entries.</summary>
    [TestCase("one", "one")]
    [TestCase("dead", "alive")]
    public void APendingEntryDeletedBeforeItWasWrittenIsReportedWithItsIdAndAcknowledged(string holder, string reader)
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        database.StreamCreateConsumerGroup(streamKey, Group, StreamPosition.Beginning, createStream: true);
        var deleted = AddEntry(database, streamKey, "gone");
        database.StreamReadGroup(streamKey, Group, holder, StreamPosition.NewMessages);
        database.StreamDelete(streamKey, [deleted]);
        AddEntry(database, streamKey, "here");

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = reader, ClaimIdleTime = TimeSpan.FromMilliseconds(1) }))
        {
            queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, sink).Start();
            Assert.That(sink.WaitFor(1, Arrival), Is.True);
            Assert.That(failures.WaitFor(deleted.ToString(), Arrival), Is.True, "the deleted entry was not reported");
        }

        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "here" }));
            Assert.That(failures.Failures.Select(f => f.Message),
                Has.One.Contains(deleted.ToString()).And.Contains("deleted from the stream before it was written"));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [TestCase(0)]
    [TestCase(1_001)]
    public void ADeliveryLimitOutOfRangeIsRefusedNamingIt(int maxDeliveryCount)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RedisStreamQueue("localhost:1,abortConnect=false", "logs", new RedisStreamQueueOptions { MaxDeliveryCount = maxDeliveryCount }));
        Assert.That(exception!.ParamName, Is.EqualTo("MaxDeliveryCount"));
    }

    [Test]
    public void ATrimIntervalOutOfRangeIsRefusedNamingIt()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RedisStreamQueue("localhost:1,abortConnect=false", "logs", new RedisStreamQueueOptions { TrimInterval = TimeSpan.FromMilliseconds(5) }));
        Assert.That(exception!.ParamName, Is.EqualTo("TrimInterval"));
    }
}
