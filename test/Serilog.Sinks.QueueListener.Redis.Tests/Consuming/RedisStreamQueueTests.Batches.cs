using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>What <c>Acknowledge</c> acknowledges: the oldest batch taken and not yet acknowledged, whichever thread
/// took it or acknowledges it; never a batch taken after it (the shutdown's reclaim of what is left).</summary>
public partial class RedisStreamQueueTests
{
    [Test]
    public void EventsTakenOnAnotherThreadAreNotAcknowledgedByTheListenersAcknowledge()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        AddEntry(database, streamKey, "a");
        AddEntry(database, streamKey, "b");

        using var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        var mine = Take(queue, 1);
        var theirs = Task.Factory.StartNew(() => Take(queue, 1), TaskCreationOptions.LongRunning).Result;
        queue.Acknowledge();

        Assert.Multiple(() =>
        {
            Assert.That(mine.Select(TextOf), Is.EqualTo(new[] { "a" }));
            Assert.That(theirs.Select(TextOf), Is.EqualTo(new[] { "b" }));
            Assert.That(PendingCount(database, streamKey), Is.EqualTo(1));
        });
    }

    [Test]
    public void ABatchTakenAfterTheListenersOnTheSameThreadIsNotAcknowledgedWithIt()
    {
        // As the listener's own end of its final run does: it reclaims what is left, on its thread, and reports it.
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        AddEntry(database, streamKey, "a");
        AddEntry(database, streamKey, "b");

        using var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        var written = Take(queue, 1);
        var reclaimed = Take(queue, 1);
        queue.Acknowledge();

        Assert.Multiple(() =>
        {
            Assert.That(written.Select(TextOf), Is.EqualTo(new[] { "a" }));
            Assert.That(reclaimed.Select(TextOf), Is.EqualTo(new[] { "b" }));
            Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 1, Arrival), Is.True, "the first batch was not acknowledged");
            Assert.That(database.StreamPending(streamKey, Group).LowestPendingMessageId.ToString(),
                Is.EqualTo(EntryIdOf(reclaimed[0])), "the batch taken second was acknowledged");
        });
    }

    [Test]
    public void ABatchIsAcknowledgedFromAnotherThreadThanTheOneThatTookIt()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        AddEntry(database, streamKey, "a");

        using var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        var taken = Task.Factory.StartNew(() => Take(queue, 1), TaskCreationOptions.LongRunning).Result;
        queue.Acknowledge();

        Assert.Multiple(() =>
        {
            Assert.That(taken.Select(TextOf), Is.EqualTo(new[] { "a" }));
            Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, Arrival), Is.True, "the batch was not acknowledged");
        });
    }
}
