using System.Diagnostics;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests;

/// <summary>
/// Two producers in Block mode and a collector, all connected through three sentinels, across failovers of a real
/// Sentinel topology: every event is written at least once, the collector runs at the end, and the duplicates and
/// the stall are printed. The tests share one topology, which each leaves healthy.
/// </summary>
[Category("Topology")]
[NonParallelizable]
public class SentinelFailoverTests
{
    const int Kills = 3;
    const int EventsBeforeTheFailure = 300;

    static readonly TimeSpan Promotion = TimeSpan.FromSeconds(20);
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    SentinelTopology _topology = null!;

    [OneTimeSetUp]
    public void StartTheTopology() => _topology = SentinelTopology.Start();

    [OneTimeTearDown]
    public void StopTheTopology() => _topology?.Dispose();

    [Test]
    public void EveryEventIsWrittenWhenThePrimaryIsKilledAgainAndAgain()
    {
        for (var run = 1; run <= Kills; run++)
        {
            _topology.WaitUntilHealthy();
            var oldPort = _topology.PrimaryPort;
            var newPort = RunAcrossAFailover($"kill {run}", () => _topology.Primary.Kill(), oldPort);

            // The failed primary comes back as what Sentinel made it: a replica of the new one, for the next run (the
            // last leaves it down, which saves the sentinels' seconds of noticing it, and the graceful failover runs
            // first, by name).
            if (run < Kills) _topology.Servers.Single(s => s.Port == oldPort).RestartAsReplicaOf(newPort);
        }
    }

    /// <remarks>
    /// The old primary takes writes until Sentinel demotes it, about ten seconds later, and drops what no collector read
    /// from it when it resynchronises as a replica: Redis's own loss, which only a write acknowledged by a replica
    /// prevents. With <c>waitForReplicas: 1</c> a batch counts as sent only once the replica has it, so the writes the
    /// old primary takes alone are held and sent again to the new primary: every event is written.
    /// </remarks>
    [Test]
    public void EveryEventIsWrittenAcrossAGracefulFailoverWhenProducersWaitForAReplica()
    {
        _topology.RestartKilledServersAsReplicas();
        _topology.WaitUntilHealthy();
        RunAcrossAFailover("graceful, waitForReplicas 1", _topology.Failover, _topology.PrimaryPort, waitForReplicas: 1);
    }

    /// <summary>Start the traffic, fail the primary over with <paramref name="failOver"/> once events flow, and check
    /// that every event arrives and the collector runs; the new primary's port.</summary>
    int RunAcrossAFailover(string name, Action failOver, int oldPort, int waitForReplicas = 0)
    {
        using var traffic = new FailoverTraffic(_topology.Configuration, _topology.Configuration, "sentinel-" + Guid.NewGuid().ToString("N"),
            waitForReplicas: waitForReplicas);
        traffic.StartProducing();
        Assert.That(traffic.Written.WaitUntil(() => traffic.Written.Distinct >= EventsBeforeTheFailure, Recovery), Is.True,
            () => $"{name}: events did not flow before the failure; {traffic.Reports}");

        var failedAt = traffic.Written.Now;
        var clock = Stopwatch.StartNew();
        failOver();
        var newPort = _topology.WaitForPrimaryOtherThan(oldPort, Promotion);
        var promotedAfter = clock.Elapsed;

        // Events logged after the promotion reach the sink: both sides follow the new primary.
        var producedAtPromotion = traffic.Produced;
        Assert.That(traffic.Written.WaitUntil(() => producedAtPromotion.All(p => traffic.Written.Has(p.Key, p.Value + 1)), Recovery), Is.True,
            () => $"{name}: no event logged after the promotion was written within {Recovery}; {traffic.Reports}; {_topology.Describe()}");
        var writingAgainAfter = clock.Elapsed;

        traffic.StopProducing();
        var total = traffic.Produced.Values.Sum();
        Assert.That(traffic.WaitForAll(Recovery), Is.True,
            () => $"{name}: {traffic.Written.Distinct} of {total} events written; missing " +
                  string.Join(", ", traffic.Written.Missing(traffic.Produced, 10)) + $"; {traffic.Reports}");
        Assert.That(traffic.Listener.IsRunning, Is.True, () => $"{name}: the collector stopped; {traffic.Reports}");

        var (gap, gapEndedAt) = traffic.Written.LongestGap;
        TestContext.Progress.WriteLine(
            $"{name}: new primary after {promotedAfter.TotalSeconds:0.0} s, events logged after it written {writingAgainAfter.TotalSeconds:0.0} s " +
            $"after the failure; longest stall {gap.TotalSeconds:0.00} s (ending {(gapEndedAt - failedAt).TotalSeconds:0.0} s after the failure); " +
            $"{total} events, {traffic.Written.Duplicates} duplicates; {traffic.CollectorFailures.Failures.Count} collector and " +
            $"{traffic.ProducerFailures.Failures.Count} producer reports");
        TestContext.Progress.WriteLine("  " + traffic.Reports);
        return newPort;
    }
}
