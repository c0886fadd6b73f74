using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>At least once: acknowledgement, recovery of what a consumer left pending, unreadable entries.</summary>
public partial class RedisStreamQueueTests
{
    const string Group = "group";

    /// <summary>Add one entry holding an event per message, as a producer would.</summary>
    static RedisValue AddEntry(IDatabase database, string streamKey, params string[] messages) =>
        database.StreamAdd(streamKey, RedisStreamFormat.EventsField, Payload(messages));

    /// <summary>The events field of an entry holding an event per message.</summary>
    static byte[] Payload(params string[] messages)
    {
        using var writer = new ClefWriter();
        foreach (var message in messages)
        {
            writer.Write(Capture.One(l => l.Information("{Text}", message)));
        }

        return writer.TakePayload();
    }

    static string TextOf(LogEvent logEvent) => ((ScalarValue)logEvent.Properties["Text"]).Value!.ToString()!;

    static string EntryIdOf(LogEvent logEvent) =>
        ((ScalarValue)logEvent.Properties[RedisStreamQueue.EntryIdPropertyName]).Value!.ToString()!;

    static long PendingCount(IDatabase database, string streamKey) => database.StreamPending(streamKey, Group).PendingMessageCount;

    /// <summary>Read once and take up to <paramref name="size"/> events, as the listener does.</summary>
    static LogEvent[] Take(RedisStreamQueue queue, int size)
    {
        var batch = new LogEvent[size];
        if (queue.Count == 0) Assert.That(queue.WaitToDequeue(Arrival), Is.True);
        var count = queue.TryDequeue(batch, out _);
        return batch.Take(count).ToArray();
    }

    [Test]
    public void AfterTheListenerHasWrittenTheEventsTheGroupHasNothingPendingAndTheStreamIsTrimmed()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        const int count = 2000;
        Produce(server.Configuration, streamKey, "p", count);

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(count, Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var events = sink.Events;
        var keys = events.Select(e => EntryIdOf(e) + "/" + e.Properties[RedisStreamQueue.EntryIndexPropertyName]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(PendingCount(connection.GetDatabase(), streamKey), Is.Zero);
            Assert.That(keys, Is.Unique);
            Assert.That(connection.GetDatabase().StreamLength(streamKey), Is.Zero, "entries left in the stream");
        });
    }

    [Test]
    public void AnEntryIsAcknowledgedOnlyOnceItsLastEventHasBeenHandedOut()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var three = AddEntry(database, streamKey, "a", "b", "c");
        var one = AddEntry(database, streamKey, "d");

        using var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        var first = Take(queue, 2);
        queue.Acknowledge();
        var pendingAfterFirst = PendingCount(database, streamKey);
        var second = Take(queue, 2);
        queue.Acknowledge();

        Assert.Multiple(() =>
        {
            Assert.That(first.Select(TextOf), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(pendingAfterFirst, Is.EqualTo(2));
            Assert.That(second.Select(TextOf), Is.EqualTo(new[] { "c", "d" }));
            Assert.That(second.Select(EntryIdOf), Is.EqualTo(new[] { three.ToString(), one.ToString() }));
            Assert.That(second[0].Properties[RedisStreamQueue.EntryIndexPropertyName].ToString(), Is.EqualTo("2"));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void WhatAStoppedConsumerNeverHandedOutIsReadAgainWhenItStartsUnderTheSameName()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        foreach (var text in new[] { "a", "b", "c", "d", "e" })
        {
            AddEntry(database, streamKey, text);
        }

        using (var abandoned = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        {
            Assert.That(Take(abandoned, 2).Select(TextOf), Is.EqualTo(new[] { "a", "b" }));
            abandoned.Acknowledge();
        }

        var pendingBetween = PendingCount(database, streamKey);
        AddEntry(database, streamKey, "f");
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(4, Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        Assert.Multiple(() =>
        {
            Assert.That(pendingBetween, Is.EqualTo(3));
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "c", "d", "e", "f" }));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void EntriesADeadConsumerHeldAreClaimedByAnotherOnceIdleAndWritten()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 500;
        Produce(server.Configuration, streamKey, "p", count);

        // The dead consumer read everything (and wrote part of it, say), and never acknowledged.
        var taken = 0;
        using (var dead = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "dead" }))
        {
            while (dead.WaitToDequeue(TimeSpan.FromMilliseconds(200)))
            {
                taken += dead.TryDequeue(new LogEvent[count], out _);
            }
        }

        Produce(server.Configuration, streamKey, "p", 10, start: count);
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "alive", ClaimIdleTime = TimeSpan.FromMilliseconds(200) }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(count + 10, Arrival), Is.True, $"{sink.Events.Count} of {count + 10} arrived");
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var numbers = NumbersFrom(sink.Events);
        var duplicates = numbers.Length - numbers.Distinct().Count();
        Assert.Multiple(() =>
        {
            Assert.That(taken, Is.EqualTo(count));
            Assert.That(numbers.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, count + 10)));
            Assert.That(duplicates, Is.Zero, "the dead consumer wrote nothing, so no event should come twice");
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void EntriesOfAConsumerKilledWithSigkillAreClaimedByAnotherOnceIdleAndWritten()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 2000;
        Produce(server.Configuration, streamKey, "p", count);

        var output = Path.GetTempFileName();
        long pendingAtDeath;
        using (var child = ConsumerApp.Start(server.Configuration, streamKey, Group, "child", output, "700"))
        {
            var hanging = Task.Run(child.StandardOutput.ReadLine);
            var signalled = hanging.Wait(Arrival);
            child.Kill();
            child.WaitForExit(5000);
            Assert.That(signalled && hanging.Result == "hanging", Is.True, "the child did not reach its limit: " + child.StandardError.ReadToEnd());
            pendingAtDeath = PendingCount(database, streamKey);
        }

        var writtenByChild = File.ReadAllLines(output).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        File.Delete(output);

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "rescuer", ClaimIdleTime = TimeSpan.FromMilliseconds(300) }))
        using (var listener = new QueueListenerType(queue, sink).Start())
        {
            var covered = sink.WaitUntil(events => NumbersFrom(events).Union(writtenByChild).Count() == count, Arrival);
            Assert.That(covered, Is.True, $"{NumbersFrom(sink.Events).Union(writtenByChild).Count()} of {count} written");
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var writtenByRescuer = NumbersFrom(sink.Events);
        var twice = writtenByRescuer.Intersect(writtenByChild).Count();
        TestContext.Out.WriteLine($"the child wrote {writtenByChild.Count} and left {pendingAtDeath} entries pending; " +
                                  $"the rescuer wrote {writtenByRescuer.Length}, {twice} of them written by the child too");
        Assert.Multiple(() =>
        {
            Assert.That(writtenByChild, Has.Count.EqualTo(700));
            Assert.That(pendingAtDeath, Is.GreaterThan(0));
            Assert.That(writtenByRescuer, Is.Unique);
            Assert.That(writtenByChild.Count + writtenByRescuer.Length - twice, Is.EqualTo(count));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }

    [Test]
    public void AnEntryWithNothingReadableIsReportedWithItsIdAndAcknowledged()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var notClef = database.StreamAdd(streamKey, RedisStreamFormat.EventsField, "this is not json\n");
        var foreign = database.StreamAdd(streamKey, "message", "hello");
        var mixed = database.StreamAdd(streamKey, RedisStreamFormat.EventsField,
            "{\"@t\":\"2024-01-01T00:00:00Z\",\"@mt\":\"{Text}\",\"Text\":\"good\"}\n{broken\n");

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" }))
        {
            queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, sink).Start();
            Assert.That(sink.WaitFor(1, Arrival), Is.True);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        var messages = failures.Failures.Select(f => f.Message).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "good" }));
            Assert.That(messages, Has.Some.Contains(notClef.ToString()).And.Contains("no readable event"));
            Assert.That(messages, Has.Some.Contains(foreign.ToString()).And.Contains("no clef field"));
            Assert.That(messages, Has.Some.Contains(mixed.ToString()).And.Contains("unreadable event"));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
            Assert.That(PendingCount(database, streamKey), Is.Zero);
        });
    }
}
