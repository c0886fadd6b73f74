using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Failover;

/// <summary>
/// A failover as a client given one address meets it: the primary fails, the server the client knows is its replica,
/// and is promoted. Both sides
/// wait it out as an outage, reported when it starts and when it ends, and find the primary again within seconds,
/// where StackExchange.Redis by itself looks at the servers' roles again only once a minute.
/// </summary>
public class ReplicaPromotionTests
{
    const int Events = 50;

    /// <summary>Far below the client's own minute, far above what finding the primary again takes.</summary>
    static readonly TimeSpan Arrival = TimeSpan.FromSeconds(20);

    [Test]
    public void ProducerAndCollectorOfAReplicaThatIsPromotedWaitItOutAndWriteEveryEventOnce()
    {
        using var primary = RedisServer.Start();
        using var replica = RedisServer.Start(false, "--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var admin = ConnectionMultiplexer.Connect(replica.Configuration + ",allowAdmin=true");
        Assert.That(Poll.Until(() => RoleOf(admin) == "slave", TimeSpan.FromSeconds(10)), Is.True, "the second server did not become a replica");
        var streamKey = "failover-" + Guid.NewGuid().ToString("N");

        // The primary fails; until a replica is promoted, the replica refuses writes (READONLY).
        primary.Stop();

        var collectorFailures = new CollectingFailureListener();
        var producerFailures = new CollectingFailureListener();
        var written = new CollectingSink();
        using var queue = new RedisStreamQueue(replica.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = "g", ConsumerName = "one" });
        queue.SetFailureListener(collectorFailures);
        using var listener = new QueueListenerType(queue, written).Start();

        using (var producer = new LoggerConfiguration()
                   .WriteTo.Fallible(f => f.Queue(a => a.RedisStream(replica.Configuration, streamKey), shutdownTimeout: TimeSpan.FromSeconds(30)), producerFailures)
                   .CreateLogger())
        {
            for (var i = 0; i < Events; i++) producer.Information("Event {Sequence}", i);

            // Both sides meet the replica and say so.
            Assert.That(Poll.Until(() => collectorFailures.Failures.Count > 0 && producerFailures.Failures.Count > 0, Arrival), Is.True,
                "the replica's refusals were not reported on both sides");
            Assert.That(written.Events, Is.Empty);

            admin.GetDatabase().Execute("REPLICAOF", "NO", "ONE");
            Assert.That(written.WaitFor(Events, Arrival), Is.True,
                () => $"{written.Events.Count} of {Events} events written {Arrival} after the promotion; collector: " +
                      string.Join(" | ", collectorFailures.Failures.Select(f => f.Message + " " + f.Exception?.Message)) + "; producer: " +
                      string.Join(" | ", producerFailures.Failures.Select(f => f.Message + " " + f.Exception?.Message)) +
                      $"; role {RoleOf(admin)}, length {admin.GetDatabase().StreamLength(streamKey)}, groups " +
                      string.Join(",", admin.GetDatabase().StreamGroupInfo(streamKey).Select(g => $"{g.Name} pending {g.PendingMessageCount} last {g.LastDeliveredId}")) +
                      $", listener running {listener.IsRunning}");
        }

        Assert.That(written.Events.Select(e => Convert.ToInt32(((Serilog.Events.ScalarValue)e.Properties["Sequence"]).Value, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(Enumerable.Range(0, Events)));
        Assert.That(listener.IsRunning, Is.True, "the collector stopped");
        Assert.That(collectorFailures.Failures.Select(f => f.Kind), Is.All.EqualTo(Serilog.Core.LoggingFailureKind.Temporary));
        Assert.That(collectorFailures.Failures.Select(f => f.Message), Has.One.Contains("failed reading").And.Some.Contains("again, after"));
        Assert.That(producerFailures.Failures.Select(f => f.Message), Has.Some.Contains("again, after"));
    }

    static string? RoleOf(IConnectionMultiplexer admin) => (string?)admin.GetDatabase().Execute("ROLE")[0];
}
