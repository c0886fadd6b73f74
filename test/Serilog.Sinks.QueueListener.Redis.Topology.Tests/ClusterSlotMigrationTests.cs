using System.Diagnostics;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests;

/// <summary>
/// Two producers in Block mode and a collector in a real 3-master Redis Cluster, with the stream's slot moved to
/// another master, and on to the third, while they run: the stream, the scripts and the consumer group follow the
/// key (<c>ASK</c>, then <c>MOVED</c>), every event is written at least once and the collector runs at the end.
/// </summary>
[Category("Topology")]
[NonParallelizable]
public class ClusterSlotMigrationTests
{
    const int EventsBetweenMoves = 300;

    static readonly TimeSpan Arrival = TimeSpan.FromSeconds(20);

    RedisClusterTopology _cluster = null!;

    [OneTimeSetUp]
    public void StartTheCluster() => _cluster = RedisClusterTopology.Start();

    [OneTimeTearDown]
    public void StopTheCluster() => _cluster?.Dispose();

    [Test]
    public void EveryEventIsWrittenWhileTheStreamsSlotMovesTwice()
    {
        var streamKey = "cluster-" + Guid.NewGuid().ToString("N");
        var slot = _cluster.SlotOf(streamKey);
        using var traffic = new FailoverTraffic(_cluster.Configuration, _cluster.Configuration, streamKey);
        traffic.StartProducing();

        var clock = Stopwatch.StartNew();
        var owners = new List<int> { _cluster.OwnerOf(slot).Port };
        for (var move = 1; move <= 2; move++)
        {
            var before = traffic.Written.Distinct;
            Assert.That(traffic.Written.WaitUntil(() => traffic.Written.Distinct >= before + EventsBetweenMoves, Arrival), Is.True,
                () => $"events did not flow before move {move}; {traffic.Reports}");

            var target = _cluster.Masters.First(m => !owners.Contains(m.Port));
            _cluster.MigrateSlot(slot, target);
            owners.Add(target.Port);
            Assert.That(_cluster.OwnerOf(slot).Port, Is.EqualTo(target.Port));
        }

        // Events logged after the last move reach the sink from its new owner.
        var producedAfterMoves = traffic.Produced;
        Assert.That(traffic.Written.WaitUntil(() => producedAfterMoves.All(p => traffic.Written.Has(p.Key, p.Value + 1)), Arrival), Is.True,
            () => $"no event logged after the moves was written; {traffic.Reports}");
        traffic.StopProducing();
        var produced = traffic.Produced;
        Assert.That(traffic.WaitForAll(Arrival), Is.True,
            () => $"{traffic.Written.Distinct} of {produced.Values.Sum()} events written; missing " +
                  string.Join(", ", traffic.Written.Missing(produced, 10)) + $"; {traffic.Reports}");
        Assert.That(traffic.Listener.IsRunning, Is.True, () => $"the collector stopped; {traffic.Reports}");

        // The slot's owner changed, but the old one is still a primary: no failover, nothing lost, nothing to say.
        Assert.That(traffic.ProducerFailures.Failures.Select(f => f.Message), Has.None.Contains("now on another server than"),
            "a slot migration was reported as a failover");

        TestContext.Progress.WriteLine(
            $"slot {slot} moved {string.Join(" -> ", owners)} in {clock.Elapsed.TotalSeconds:0.0} s: {produced.Values.Sum()} events, " +
            $"{traffic.Written.Duplicates} duplicates, longest stall {traffic.Written.LongestGap.Gap.TotalMilliseconds:0} ms; " +
            $"{traffic.CollectorFailures.Failures.Count} collector and {traffic.ProducerFailures.Failures.Count} producer reports");
        if (traffic.CollectorFailures.Failures.Count + traffic.ProducerFailures.Failures.Count > 0) TestContext.Progress.WriteLine("  " + traffic.Reports);
    }
}
