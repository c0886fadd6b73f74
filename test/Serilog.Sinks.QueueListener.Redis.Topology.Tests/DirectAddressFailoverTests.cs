using System.Globalization;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;

using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests;

/// <summary>
/// Clients given the primary's address, not Sentinel's, across a careful manual failover (writes paused until the
/// replica has everything, the replica promoted, the old primary made its replica): they keep to the address, now a
/// replica. That is not highly available, and must be visible: both sides report the replica's refusal, the
/// collector waits rather than stops, and the producers' disposal gives up after its timeout and reports what it
/// holds; every other event is written, by that collector or, from the stream, by one given the new primary's
/// address.
/// </summary>
[Category("Topology")]
public class DirectAddressFailoverTests
{
    const int EventsBeforeTheFailover = 300;

    static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Test]
    public void ClientsOfAPrimaryThatBecomesAReplicaSayWhyTheyWaitAndLoseNothingSilently()
    {
        using var primary = RedisServer.Start(false, SentinelTopology.ImmediateSync);
        using var replica = RedisServer.Start(false, [.. SentinelTopology.ImmediateSync, "--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture)]);
        Assert.That(Poll.Until(() => replica.Cli("INFO", "replication").Contains("master_link_status:up", StringComparison.Ordinal), Wait), Is.True);

        using var traffic = new FailoverTraffic(primary.Configuration, primary.Configuration, "direct-" + Guid.NewGuid().ToString("N"),
            shutdownTimeout: TimeSpan.FromSeconds(1));
        traffic.StartProducing();
        Assert.That(traffic.Written.WaitUntil(() => traffic.Written.Distinct >= EventsBeforeTheFailover, Wait), Is.True,
            () => $"events did not flow before the failover; {traffic.Reports}");

        // The failover an operator makes without losing a write: pause writes, let the replica catch up, promote it,
        // and make the old primary its replica.
        primary.Cli("CLIENT", "PAUSE", "10000", "WRITE");
        Assert.That(Poll.Until(() => Offset(replica, "slave_repl_offset") == Offset(primary, "master_repl_offset"), Wait), Is.True);
        replica.Cli("REPLICAOF", "NO", "ONE");
        primary.Cli("REPLICAOF", "127.0.0.1", replica.Port.ToString(CultureInfo.InvariantCulture));
        primary.Cli("CLIENT", "UNPAUSE");

        Assert.That(traffic.ProducerFailures.WaitFor("is a replica (READONLY)", Wait), Is.True, () => $"producers: {traffic.Reports}");
        Assert.That(traffic.CollectorFailures.WaitFor("is a replica (READONLY)", Wait), Is.True, () => $"collector: {traffic.Reports}");

        traffic.StopProducing();
        Assert.That(traffic.Listener.IsRunning, Is.True, "the collector stopped");

        // What the producers did not report is in the stream, on the new primary, where a collector given its
        // address (the same group and name) writes it: nothing was lost.
        var produced = traffic.Produced;
        var reported = traffic.ProducerFailures.Failures.SelectMany(f => f.Events).Select(Identity).ToHashSet();
        var expected = produced.SelectMany(p => Enumerable.Range(1, (int)p.Value).Select(sequence => (p.Key, (long)sequence)))
            .Where(e => !reported.Contains(e))
            .ToList();
        var writtenByTheFirst = traffic.Written.Distinct;
        using (var queue = new RedisStreamQueue(replica.Configuration, traffic.StreamKey, new RedisStreamQueueOptions { GroupName = "g", ConsumerName = "collector" }))
        using (new QueueListenerType(queue, traffic.Written).Start())
        {
            Assert.That(traffic.Written.WaitUntil(() => expected.All(e => traffic.Written.Has(e.Key, e.Item2)), Wait), Is.True,
                () => $"{expected.Count(e => !traffic.Written.Has(e.Key, e.Item2))} of {produced.Values.Sum()} events neither written nor reported; " +
                      traffic.Reports);
        }

        TestContext.Progress.WriteLine(
            $"direct address: {produced.Values.Sum()} events, {writtenByTheFirst} written by the collector of the old primary, " +
            $"{traffic.Written.Distinct - writtenByTheFirst} more by one of the new, {reported.Count} reported as not written");
    }

    static (string Producer, long Sequence) Identity(LogEvent logEvent) =>
        (((ScalarValue)logEvent.Properties["Producer"]).Value?.ToString() ?? "",
            Convert.ToInt64(((ScalarValue)logEvent.Properties["Sequence"]).Value, CultureInfo.InvariantCulture));

    static long Offset(RedisServer server, string field)
    {
        var line = server.Cli("INFO", "replication").Split('\n').FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line[(field.Length + 1)..].Trim(), CultureInfo.InvariantCulture);
    }
}
