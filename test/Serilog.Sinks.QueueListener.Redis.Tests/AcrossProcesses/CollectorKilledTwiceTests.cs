using System.Diagnostics;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.AcrossProcesses;

/// <summary>
/// The crash test of the Redis transport, with real processes and a real redis-server: two producer processes log
/// through <c>WriteTo.Queue(a =&gt; a.RedisStream(...))</c> in Block mode while the collector process is killed with
/// SIGKILL twice, mid-batch, and started again, first under its own name (it re-reads the entries it left pending),
/// then under another (which claims them with <c>XAUTOCLAIM</c>). At least once: every event is written; the duplicates
/// are counted and reported.
/// </summary>
[Category("AcrossProcesses")]
public class CollectorKilledTwiceTests
{
    const int Events = 100_000;

    /// <summary>Each producer takes five seconds at least, so both kills land while they produce.</summary>
    const int EventsPerSecond = 20_000;

    const int WrittenBeforeEachKill = 15_000;
    const string Group = "collectors";
    const string Consumer = "collector-1";
    const string OtherConsumer = "collector-2";

    static readonly string[] Producers = ["producer-1", "producer-2"];
    static readonly TimeSpan Signal = TimeSpan.FromSeconds(60);
    static readonly TimeSpan Completion = TimeSpan.FromSeconds(120);
    static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    /// <summary>The restarted collectors' own; long for the first two (alone, they claim nothing), short for the last,
    /// so it claims what the second left soon after it starts.</summary>
    static readonly TimeSpan DefaultClaimIdleTime = TimeSpan.FromSeconds(30);
    static readonly TimeSpan ShortClaimIdleTime = TimeSpan.FromMilliseconds(500);

    readonly List<RunningApp> _apps = [];
    string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "queuelistener-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void KillWhatIsLeft()
    {
        foreach (var app in _apps) app.Dispose();
        _apps.Clear();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    [Description("2 producer processes x 100,000 events; the collector is killed with SIGKILL twice mid-run and restarted " +
                 "(own pending re-read, then XAUTOCLAIM by another consumer); every event is written at least once, and " +
                 "the duplicates are no more than what the killed collectors held.")]
    public void EveryEventOfTwoProducersIsWrittenAtLeastOnceThoughTheCollectorIsKilledTwice()
    {
        var server = RedisServer.Shared;
        var streamKey = "crash-" + Guid.NewGuid().ToString("N");
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var clock = Stopwatch.StartNew();

        var (firstFile, secondFile, thirdFile) = (InFolder("first.txt"), InFolder("second.txt"), InFolder("third.txt"));

        var first = StartCollector(server, streamKey, Consumer, firstFile, DefaultClaimIdleTime, WrittenBeforeEachKill);
        var producers = Producers.Select(p => Track(ProducerApp.Start(server.Configuration, streamKey, p, Events, EventsPerSecond))).ToList();
        var leftByFirst = KillWhenHanging(first, producers, database, streamKey);

        var second = StartCollector(server, streamKey, Consumer, secondFile, DefaultClaimIdleTime, WrittenBeforeEachKill);
        var leftBySecond = KillWhenHanging(second, producers, database, streamKey);

        var third = StartCollector(server, streamKey, OtherConsumer, thirdFile, ShortClaimIdleTime, hangAfter: 0);
        var coverage = new EventCoverage(Producers, Events);
        coverage.AddAll(EventLine.ReadAll(firstFile));
        coverage.AddAll(EventLine.ReadAll(secondFile));
        var thirdTail = new FileTail(thirdFile);
        var complete = Poll.Until(() =>
        {
            thirdTail.ReadNew(line => coverage.Add(EventLine.Parse(line)));
            return (coverage.Missing == 0 && producers.All(p => p.HasExited) &&
                    database.StreamPending(streamKey, Group).PendingMessageCount == 0) || third.HasExited;
        }, Completion);
        Assert.That(complete && !third.HasExited, Is.True,
            $"after {clock.Elapsed}: {coverage.Missing} events missing, in {string.Join(", ", coverage.MissingRuns(10))}; " +
            $"{database.StreamPending(streamKey, Group).PendingMessageCount} entries pending; " +
            string.Join("; ", producers.Append(third).Select(a => a.Describe())));

        third.CloseInput();
        foreach (var app in producers.Append(third))
        {
            Assert.That(app.WaitForExit(Exit), Is.True, app.Describe());
        }

        var elapsed = clock.Elapsed;

        var byFirst = EventLine.ReadAll(firstFile);
        var bySecond = EventLine.ReadAll(secondFile);
        var byThird = EventLine.ReadAll(thirdFile);
        var all = byFirst.Concat(bySecond).Concat(byThird).ToList();
        var final = new EventCoverage(Producers, Events);
        final.AddAll(all);
        var heldAtKills = leftByFirst.Values.Sum() + leftBySecond.Values.Sum();
        var thirdWrote = byThird.Select(l => (l.EntryId, l.EntryIndex)).ToHashSet();

        TestContext.Out.WriteLine(
            $"{final.Lines:N0} lines for {Producers.Length * Events:N0} events in {elapsed.TotalSeconds:F1} s: " +
            $"{final.Duplicates:N0} duplicates; the first collector wrote {byFirst.Count:N0} and left " +
            $"{leftByFirst.Count} entries ({leftByFirst.Values.Sum():N0} events) pending, the second (same name) wrote " +
            $"{bySecond.Count:N0} and left {leftBySecond.Count} entries ({leftBySecond.Values.Sum():N0} events) pending, " +
            $"the third (another name) wrote {byThird.Count:N0}");

        Assert.Multiple(() =>
        {
            Assert.That(final.Missing, Is.Zero, $"missing: {string.Join(", ", final.MissingRuns(10))}");
            Assert.That(final.Strangers, Is.Empty, "lines of events never produced");
            Assert.That(final.Duplicates, Is.LessThanOrEqualTo(heldAtKills),
                "more duplicates than events the killed collectors held unacknowledged");
            Assert.That(all.Select(l => (l.EntryId, l.EntryIndex)).Distinct().Count(), Is.EqualTo(Producers.Length * Events),
                "an event was added to the stream twice, with Redis up throughout");
            Assert.That(leftByFirst.Keys, Does.Contain(bySecond[0].EntryId),
                "restarted under its name, the collector did not start with the entries it had left pending");
            Assert.That(leftBySecond.SelectMany(e => Enumerable.Range(0, e.Value).Select(i => (e.Key, i))).Where(e => !thirdWrote.Contains(e)),
                Is.Empty, "events of entries the dead collector held that the other one did not claim and write");
            Assert.That(database.StreamPending(streamKey, Group).PendingMessageCount, Is.Zero);
            Assert.That(third.Lines, Does.Contain($"stopped {byThird.Count}"));
            foreach (var producer in producers)
            {
                Assert.That(producer.ExitCode, Is.Zero, producer.Describe());
                Assert.That(producer.Lines, Does.Contain($"produced {Events} dropped 0"), producer.Describe());
            }
        });
    }

    RunningApp StartCollector(RedisServer server, string streamKey, string consumer, string output, TimeSpan claimIdleTime,
        int hangAfter) =>
        Track(CollectorApp.Start(server.Configuration, streamKey, Group, consumer, output, claimIdleTime, hangAfter));

    string InFolder(string file) => Path.Combine(_folder, file);

    /// <summary>Wait for the collector to hang mid-batch, kill it while the producers still produce, and return what it
    /// left pending: entry id and number of events.</summary>
    static Dictionary<string, int> KillWhenHanging(RunningApp collector, List<RunningApp> producers, IDatabase database,
        string streamKey)
    {
        Assert.That(collector.WaitForLine(l => l == $"hanging after {WrittenBeforeEachKill}", Signal), Is.True,
            collector.Describe());
        var stillProducing = producers.Count(p => !p.Lines.Any(l => l.StartsWith("produced", StringComparison.Ordinal)));
        collector.Kill();
        Assert.That(stillProducing, Is.EqualTo(producers.Count),
            "a producer had finished before the collector was killed, so the kill was not mid-run");

        var left = PendingEntries.Of(database, streamKey, Group, collector.Name);
        Assert.That(left, Is.Not.Empty, "the collector hung mid-batch, so it held an entry unacknowledged");
        return left;
    }

    RunningApp Track(RunningApp app)
    {
        _apps.Add(app);
        return app;
    }
}
