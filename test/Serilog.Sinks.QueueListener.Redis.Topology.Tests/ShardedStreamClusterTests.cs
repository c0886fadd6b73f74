using Serilog.Core;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests;

/// <summary>
/// One logical stream over three keys (<c>shards: 3</c>) in a real 3-master Redis Cluster: each key on a master of
/// its own, two producers in Block mode and a collector reading all three into one queue, every event written.
/// </summary>
[Category("Topology")]
[NonParallelizable]
public class ShardedStreamClusterTests
{
    const int EventsToFlow = 1000;

    static readonly TimeSpan Arrival = TimeSpan.FromSeconds(20);

    RedisClusterTopology _cluster = null!;

    [OneTimeSetUp]
    public void StartTheCluster() => _cluster = RedisClusterTopology.Start();

    [OneTimeTearDown]
    public void StopTheCluster() => _cluster?.Dispose();

    [Test]
    public void ThreeShardsLandOnThreeMastersAndEveryEventIsWritten()
    {
        var streamKey = "sharded-" + Guid.NewGuid().ToString("N");
        using var traffic = new FailoverTraffic(_cluster.Configuration, _cluster.Configuration, streamKey, shards: 3);
        traffic.StartProducing();
        Assert.That(traffic.Written.WaitUntil(() => traffic.Written.Distinct >= EventsToFlow, Arrival), Is.True,
            () => $"events did not flow; {traffic.Reports}");
        traffic.StopProducing();
        var produced = traffic.Produced;
        Assert.That(traffic.WaitForAll(Arrival), Is.True,
            () => $"{traffic.Written.Distinct} of {produced.Values.Sum()} events written; missing " +
                  string.Join(", ", traffic.Written.Missing(produced, 10)) + $"; {traffic.Reports}");

        // Each master holds its own keys only (KEYS looks at one node), so where each shard's key is, is seen there.
        var keysByMaster = _cluster.Masters.ToDictionary(m => m.Port, m => m.Cli("KEYS", streamKey + "*")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var keys = keysByMaster.Values.SelectMany(k => k).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(keys, Has.Count.EqualTo(3).And.All.StartsWith(streamKey + ":{"), () => "keys: " + string.Join(", ", keys));
            Assert.That(keysByMaster.Values, Has.All.Length.EqualTo(1), () => "keys per master: " +
                string.Join("; ", keysByMaster.Select(p => $"{p.Key}: {string.Join(", ", p.Value)}")));
            foreach (var (port, held) in keysByMaster)
            {
                foreach (var key in held) Assert.That(_cluster.OwnerOf(_cluster.SlotOf(key)).Port, Is.EqualTo(port), $"the slot of {key}");
            }

            Assert.That(traffic.Listener.IsRunning, Is.True, () => $"the collector stopped; {traffic.Reports}");
            Assert.That(traffic.ProducerFailures.Failures.Where(f => f.Kind != LoggingFailureKind.Temporary), Is.Empty, () => traffic.Reports);
        });

        TestContext.Progress.WriteLine(
            $"keys {string.Join(", ", keys.Select(k => $"{k} (slot {_cluster.SlotOf(k)})"))}: {produced.Values.Sum()} events, " +
            $"{traffic.Written.Duplicates} duplicates, longest stall {traffic.Written.LongestGap.Gap.TotalMilliseconds:0} ms; " +
            $"{traffic.CollectorFailures.Failures.Count} collector and {traffic.ProducerFailures.Failures.Count} producer reports");
    }
}
