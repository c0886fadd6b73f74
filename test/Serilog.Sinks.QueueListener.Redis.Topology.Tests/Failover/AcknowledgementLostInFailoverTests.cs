using Serilog.Core;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests.Failover;

/// <summary>
/// An acknowledgement that reaches the old primary after a replica was promoted is lost when the old one is demoted
/// and resynchronises: the entries stay pending with the collector on the new primary, and the collector finds them
/// again and writes them (at least once), instead of leaving them pending for ever.
/// </summary>
public class AcknowledgementLostInFailoverTests
{
    static readonly TimeSpan Arrival = StreamEvents.Arrival;
    const string Group = "g";
    const int Count = 10;

    [Test]
    public void EntriesAcknowledgedOnAPrimaryThatIsThenDemotedAreFoundAgainOnTheNewPrimaryAndWritten()
    {
        using var servers = new ReplicatedServers();
        var streamKey = StreamEvents.NewStreamKey("failover");
        for (var i = 0; i < Count; i++)
        {
            servers.PrimaryDatabase.StreamAdd(streamKey, RedisStreamFormat.EventsField, System.Text.Encoding.UTF8.GetBytes(
                $$"""{"@t":"2024-01-02T03:04:05.0000000Z","@mt":"Event {N}","N":{{i}}}""" + "\n"));
        }

        var failures = new CollectingFailureListener();
        using var sink = new GatedSink();
        var both = $"127.0.0.1:{servers.Primary.Port},127.0.0.1:{servers.Replica.Port},abortConnect=false";
        using var queue = new RedisStreamQueue(both, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink).Start();

        // Read on the primary, and the read replicated: the replica too has the entries pending with "one".
        Assert.That(sink.WaitEntered(Arrival), Is.True);
        Assert.That(Poll.Until(() => Pending(servers.ReplicaDatabase, streamKey) == Count, Arrival), Is.True, "the read did not reach the replica");

        // The replica is promoted; the collector, which knows nothing of it, writes and acknowledges on the old one.
        servers.PromoteReplica();
        sink.Open();
        Assert.That(sink.Written.WaitFor(Count, Arrival), Is.True);
        Assert.That(Poll.Until(() => Pending(servers.PrimaryDatabase, streamKey) == 0, Arrival), Is.True, "not acknowledged on the old primary");
        Assert.That(Pending(servers.ReplicaDatabase, streamKey), Is.EqualTo(Count), "the acknowledgement reached the new primary");

        // The old primary is demoted and drops the acknowledgement: the collector meets a replica, finds the new
        // primary, and the entries still pending there with it.
        servers.DemotePrimary();
        Assert.That(Poll.Until(servers.PrimaryIsSyncedReplica, Arrival), Is.True, "the old primary did not resynchronise");
        Assert.That(Poll.Until(() => Pending(servers.ReplicaDatabase, streamKey) == 0, Arrival), Is.True,
            () => "entries stayed pending on the new primary: " + string.Join(" | ", failures.Failures.Select(f => f.Message)));

        var numbers = sink.Written.Events.Select(StreamEvents.NumberOf).ToList();
        Assert.That(numbers.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, Count)));
        Assert.That(numbers, Has.Count.EqualTo(2 * Count), "each entry written once before the failover and once after");
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.StartsWith($"found {Count} entries of the redis stream {streamKey} pending with this collector"));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
        Assert.That(listener.IsRunning, Is.True, "the collector stopped");
    }

    static long Pending(IDatabase database, string streamKey) => database.StreamPending(streamKey, Group).PendingMessageCount;
}
