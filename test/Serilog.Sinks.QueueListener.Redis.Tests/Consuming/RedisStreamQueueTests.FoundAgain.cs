using Serilog.Core;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>Entries pending with a consumer that no longer holds them (the state an acknowledgement sent to a primary
/// that a failover then demoted leaves on the new one) are found again and written, without waiting for them to
/// idle past the claim idle time.</summary>
public partial class RedisStreamQueueTests
{
    [Test]
    public void EntriesPendingWithThisConsumerThatItNoLongerHoldsAreFoundAgainAtTheNextSweepAndWritten()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        AddEntries(database, streamKey, 3);

        var failures = new CollectingFailureListener();
        var written = new CollectingSink();

        // A short claim idle time, so that sweeps come often. Each sweep first looks at this consumer's own pending
        // list, which finds the entries below before they are idle enough for XAUTOCLAIM; its report tells.
        var options = new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", ClaimIdleTime = TimeSpan.FromMilliseconds(300) };
        using var queue = new RedisStreamQueue(server.Configuration, streamKey, options);
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, written).Start();
        Assert.That(written.WaitFor(3, Arrival), Is.True);
        Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, Arrival), Is.True);

        // Entries delivered to "one" behind the collector's back, in one transaction so that its own reads cannot
        // take them first: pending with it, never held by it, as entries whose XACK reached a demoted primary are.
        var transaction = database.CreateTransaction();
        _ = transaction.StreamAddAsync(streamKey, RedisStreamFormat.EventsField, Payload("lost-ack-1"));
        _ = transaction.StreamAddAsync(streamKey, RedisStreamFormat.EventsField, Payload("lost-ack-2"));
        var delivered = transaction.StreamReadGroupAsync(streamKey, Group, "one", StreamPosition.NewMessages, 10);
        Assert.That(transaction.Execute(), Is.True);
        Assert.That(delivered.Result, Has.Length.EqualTo(2));

        Assert.That(written.WaitFor(5, Arrival), Is.True, () => string.Join(" | ", failures.Failures.Select(f => f.Message)));
        Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, Arrival), Is.True, "the entries found again were not acknowledged");
        Assert.That(written.Events.Select(TextOf), Is.EqualTo(new[] { "0", "1", "2", "lost-ack-1", "lost-ack-2" }));
        Assert.That(failures.Failures.Where(f => f.Kind == LoggingFailureKind.Temporary).Select(f => f.Message),
            Has.One.StartsWith($"found 2 entries of the redis stream {streamKey} pending with this collector that it no longer held"));
    }
}
