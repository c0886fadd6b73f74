using System.Diagnostics;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.AcrossProcesses;

/// <summary>
/// The crash test of the Redis transport, with real processes and a real redis-server: two producer processes log
/// 100,000 numbered events each through <c>WriteTo.Queue(a =&gt; a.RedisStream(...))</c> in Block mode while the
/// collector process is killed with SIGKILL twice and started again, first under its own name (it re-reads the
/// entries it left pending), then under another (which claims them with <c>XAUTOCLAIM</c>). At least once: every event
/// is written; the duplicates are counted, reported, and no more than the killed collectors held.
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

    /// <summary>The collectors' claim idle time: the default for the first two (alone, they have no one to claim
    /// from), short for the last, so it claims what the second left soon after it starts.</summary>
    static readonly TimeSpan DefaultClaimIdleTime = TimeSpan.FromSeconds(30);
    static readonly TimeSpan ShortClaimIdleTime = TimeSpan.FromMilliseconds(500);

    readonly List<RunningApp> _apps = [];
    string _folder = null!;
    ConnectionMultiplexer? _connection;
    string? _streamKey;

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

        // 200,000 events: not to be kept in the run's server for the tests after this one.
        if (_streamKey is not null) _connection?.GetDatabase().KeyDelete(_streamKey);
        _connection?.Dispose();
        (_connection, _streamKey) = (null, null);
    }

    [Test]
    [Description("2 producer processes x 100,000 events; the collector is killed with SIGKILL twice, each time stopped " +
                 "mid-batch, and restarted (own pending re-read, then XAUTOCLAIM by another consumer); every event is " +
                 "written at least once, and there are no more duplicates than the killed collectors held.")]
    public void EveryEventIsWrittenAtLeastOnceThoughTheCollectorIsKilledTwiceMidBatch() => KillTheCollectorTwice(hang: true);

    [Test]
    [Description("As the mid-batch test, the collector killed wherever it is when it has written 15,000 events: reading, " +
                 "writing or acknowledging.")]
    public void EveryEventIsWrittenAtLeastOnceThoughTheCollectorIsKilledTwiceWhileItRuns() => KillTheCollectorTwice(hang: false);

    void KillTheCollectorTwice(bool hang)
    {
        var server = RedisServer.Shared;
        _connection = ConnectionMultiplexer.Connect(server.Configuration);
        _streamKey = "crash-" + Guid.NewGuid().ToString("N");
        KillTheCollectorTwice(server, _connection.GetDatabase(), _streamKey, hang);
    }

    void KillTheCollectorTwice(RedisServer server, IDatabase database, string streamKey, bool hang)
    {
        var (firstFile, secondFile, thirdFile) = (InFolder("first.txt"), InFolder("second.txt"), InFolder("third.txt"));
        var clock = Stopwatch.StartNew();

        var first = StartCollector(server, streamKey, Consumer, firstFile, DefaultClaimIdleTime, WrittenBeforeEachKill, hang);
        var producers = Producers.Select(p => Track(ProducerApp.Start(server.Configuration, streamKey, p, Events, EventsPerSecond))).ToList();
        var leftByFirst = KillOnSignal(first, producers, database, streamKey, hang);

        var second = StartWhileProducersWait(producers,
            () => StartCollector(server, streamKey, Consumer, secondFile, DefaultClaimIdleTime, WrittenBeforeEachKill, hang));
        var leftBySecond = KillOnSignal(second, producers, database, streamKey, hang);

        var third = StartCollector(server, streamKey, OtherConsumer, thirdFile, ShortClaimIdleTime, 0, hang: false);
        WaitUntilEverythingIsWritten(third, producers, database, streamKey, [firstFile, secondFile], thirdFile, clock);
        third.CloseInput();
        foreach (var app in producers.Append(third))
        {
            Assert.That(app.WaitForExit(Exit), Is.True, app.Describe());
        }

        var elapsed = clock.Elapsed;
        var (byFirst, bySecond, byThird) = (EventLine.ReadAll(firstFile), EventLine.ReadAll(secondFile), EventLine.ReadAll(thirdFile));
        var all = byFirst.Concat(bySecond).Concat(byThird).ToList();
        var coverage = new EventCoverage(Producers, Events);
        coverage.AddAll(all);
        var heldAtKills = leftByFirst.Values.Sum() + leftBySecond.Values.Sum();
        var thirdWrote = byThird.Select(l => (l.EntryId, l.EntryIndex)).ToHashSet();

        TestContext.Out.WriteLine(
            $"{coverage.Lines:N0} lines for {Producers.Length * Events:N0} events in {elapsed.TotalSeconds:F1} s: " +
            $"{coverage.Duplicates:N0} duplicates; the first collector wrote {byFirst.Count:N0} and left " +
            $"{leftByFirst.Count} entries ({leftByFirst.Values.Sum():N0} events) pending, the second (same name) wrote " +
            $"{bySecond.Count:N0} and left {leftBySecond.Count} entries ({leftBySecond.Values.Sum():N0} events) pending, " +
            $"the third (another name) wrote {byThird.Count:N0}");

        Assert.Multiple(() =>
        {
            Assert.That(coverage.Missing, Is.Zero, $"missing: {string.Join(", ", coverage.MissingRuns(10))}");
            Assert.That(coverage.Strangers, Is.Empty, "lines of events never produced");
            Assert.That(coverage.Duplicates, Is.LessThanOrEqualTo(heldAtKills),
                "more duplicates than events the killed collectors held unacknowledged");
            Assert.That(all.Select(l => (l.EntryId, l.EntryIndex)).Distinct().Count(), Is.EqualTo(Producers.Length * Events),
                "an event was added to the stream twice, with Redis up throughout");
            if (leftByFirst.Count > 0)
            {
                Assert.That(leftByFirst.Keys, Does.Contain(bySecond[0].EntryId),
                    "restarted under its name, the collector did not start with the entries it had left pending");
            }

            Assert.That(leftBySecond.SelectMany(e => Enumerable.Range(0, e.Value).Select(i => (e.Key, i))).Where(e => !thirdWrote.Contains(e)),
                Is.Empty, "events of entries the dead collector held that the other one did not claim and write");
            Assert.That(database.StreamPending(streamKey, Group).PendingMessageCount, Is.Zero, "entries left unacknowledged");
            Assert.That(third.Lines, Does.Contain($"stopped {byThird.Count}"));
            foreach (var producer in producers)
            {
                Assert.That(producer.ExitCode, Is.Zero, producer.Describe());
                Assert.That(producer.Lines, Does.Contain($"produced {Events} dropped 0"), producer.Describe());
            }
        });
    }

    /// <summary>Wait for the collector's signal, kill it while the producers still produce, and return what it left
    /// pending: entry id and number of events.</summary>
    static Dictionary<string, int> KillOnSignal(RunningApp collector, List<RunningApp> producers, IDatabase database,
        string streamKey, bool hung)
    {
        Assert.That(collector.WaitForLine(l => l == $"written {WrittenBeforeEachKill}", Signal), Is.True, collector.Describe());
        var stillProducing = producers.Count(p => !p.Lines.Any(l => l.StartsWith("produced", StringComparison.Ordinal)));
        collector.Kill();
        Assert.That(stillProducing, Is.EqualTo(producers.Count),
            "a producer had finished before the collector was killed, so the kill was not mid-run");

        var left = PendingEntries.Of(database, streamKey, Group, collector.Name);
        if (hung) Assert.That(left, Is.Not.Empty, "the collector hung mid-batch, so it held an entry unacknowledged");
        return left;
    }

    /// <summary>Start a collector with the producers held still until it is collecting, so that the time a loaded
    /// machine takes to start a process cannot let the producers finish before the next kill.</summary>
    static RunningApp StartWhileProducersWait(List<RunningApp> producers, Func<RunningApp> start)
    {
        foreach (var producer in producers) producer.Stop();
        try
        {
            var collector = start();
            Assert.That(collector.WaitForLine(l => l == "collecting", Signal), Is.True, collector.Describe());
            return collector;
        }
        finally
        {
            foreach (var producer in producers) producer.Continue();
        }
    }

    /// <summary>Wait until every event is in one of the files, the producers have exited and the group has nothing
    /// pending (the last collector has claimed and written what the killed ones held), or the deadline passes.</summary>
    static void WaitUntilEverythingIsWritten(RunningApp collector, List<RunningApp> producers, IDatabase database,
        string streamKey, string[] doneFiles, string file, Stopwatch clock)
    {
        var coverage = new EventCoverage(Producers, Events);
        foreach (var done in doneFiles) coverage.AddAll(EventLine.ReadAll(done));
        var tail = new FileTail(file);
        var complete = Poll.Until(() =>
        {
            tail.ReadNew(line => coverage.Add(EventLine.Parse(line)));
            return (coverage.Missing == 0 && producers.All(p => p.HasExited) &&
                    database.StreamPending(streamKey, Group).PendingMessageCount == 0) || collector.HasExited;
        }, Completion);

        Assert.That(complete && !collector.HasExited, Is.True,
            $"after {clock.Elapsed}: {coverage.Missing} events missing, in {string.Join(", ", coverage.MissingRuns(10))}; " +
            $"{database.StreamPending(streamKey, Group).PendingMessageCount} entries pending; " +
            string.Join("; ", producers.Append(collector).Select(a => a.Describe())));
    }

    RunningApp StartCollector(RedisServer server, string streamKey, string consumer, string output, TimeSpan claimIdleTime,
        int signalAfter, bool hang) =>
        Track(CollectorApp.Start(server.Configuration, streamKey, Group, consumer, output, claimIdleTime, signalAfter, hang));

    string InFolder(string file) => Path.Combine(_folder, file);

    RunningApp Track(RunningApp app)
    {
        _apps.Add(app);
        return app;
    }
}
