using System.Diagnostics;
using System.Globalization;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.AcrossProcesses;

/// <summary>
/// The whole pipeline at least once, end to end, with real processes: producers logging through
/// <c>WriteTo.Queue(a =&gt; a.RedisStream(...), spool: ...)</c> into a real redis-server, and a collector group
/// writing every event to a file. In one run a collector is killed with SIGKILL mid-batch, Redis is killed with SIGKILL
/// and started again, and a producer is killed with SIGKILL while Redis is away (so that its spool holds events Redis
/// never had), then started again over the same spool. Every event whose <c>Emit</c> returned must be written by some
/// collector; the duplicates are counted and shown.
/// </summary>
/// <remarks>
/// Redis keeps what it acknowledged across its own crash only with persistence on: the server runs with
/// <c>appendonly yes</c> and <c>appendfsync always</c>, so an <c>XADD</c>, or a read into the group's pending list,
/// that was answered is on the disk before the answer. (With the default <c>everysec</c>, a crash of Redis may take
/// the last second of what it acknowledged, and the spools, which let go of an event once Redis had it, could not
/// bring it back.)
/// </remarks>
[Category("AcrossProcesses")]
public class SpooledPipelineKillTests
{
    /// <summary>The producer that runs throughout, through the outage of Redis.</summary>
    const string Steady = "steady";

    /// <summary>The producer killed while Redis is away, and the name of its second run over the same spool.</summary>
    const string Killed = "killed";
    const string Restarted = "restarted";

    const int SteadyEvents = 30_000;
    const int KilledEvents = 1_000_000;
    const int RestartedEvents = 5_000;
    const int EventsPerSecond = 5_000;

    /// <summary>Events the first collector writes before it hangs mid-batch, to be killed.</summary>
    const int WrittenBeforeTheCollectorIsKilled = 3_000;

    /// <summary>Events each producer logs into its spool while Redis is away, before the one is killed.</summary>
    const int SpooledWhileRedisIsAway = 2_000;

    const string Group = "collectors";
    static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);
    static readonly TimeSpan Completion = TimeSpan.FromSeconds(60);
    static readonly TimeSpan Exit = TimeSpan.FromSeconds(30);

    readonly List<RunningApp> _apps = [];
    string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "queuelistener-spooled-" + Guid.NewGuid().ToString("N"));
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
    [Description("Spooled producers -> redis-server (appendfsync always) -> a collector group; a collector, Redis and " +
                 "a producer are killed with SIGKILL in one run and started again; every event whose Emit returned is " +
                 "written at least once.")]
    public void EveryEventWhoseEmitReturnedIsWrittenThoughACollectorRedisAndAProducerAreKilled()
    {
        using var server = RedisServer.Start(appendOnly: true, "--appendfsync", "always");
        var streamKey = "spooled-" + Guid.NewGuid().ToString("N");
        var (steadySpool, killedSpool) = (InFolder("steady"), InFolder("killed"));
        Directory.CreateDirectory(steadySpool);
        Directory.CreateDirectory(killedSpool);
        var (firstFile, secondFile) = (InFolder("first.txt"), InFolder("second.txt"));
        var clock = Stopwatch.StartNew();

        // The first collector hangs in its sink once it has written its share, holding a batch unacknowledged.
        var first = Track(CollectorApp.Start(server.Configuration, streamKey, Group, "collector-1", firstFile,
            TimeSpan.FromSeconds(30), WrittenBeforeTheCollectorIsKilled, hang: true));
        Assert.That(first.WaitForLine(l => l == "collecting", Signal), Is.True, first.Describe());
        var steady = Track(ProducerApp.StartSpooled(server.Configuration, streamKey, Steady, SteadyEvents, EventsPerSecond, steadySpool));
        var killed = Track(ProducerApp.StartSpooled(server.Configuration, streamKey, Killed, KilledEvents, EventsPerSecond, killedSpool));

        Assert.That(first.WaitForLine(l => l == $"written {WrittenBeforeTheCollectorIsKilled}", Signal), Is.True, first.Describe());
        first.Kill();

        // Redis dies as a crash would; both producers go on logging into their spools meanwhile.
        server.Kill();
        var steadyAtOutage = ProducerApp.LastReturned(steadySpool, Steady);
        var killedAtOutage = ProducerApp.LastReturned(killedSpool, Killed);
        Assert.That(Poll.Until(() => ProducerApp.LastReturned(steadySpool, Steady) >= steadyAtOutage + SpooledWhileRedisIsAway &&
                                     ProducerApp.LastReturned(killedSpool, Killed) >= killedAtOutage + SpooledWhileRedisIsAway, Signal),
            Is.True, $"{steady.Describe()}; {killed.Describe()}");
        killed.Kill();
        var killedReturned = ProducerApp.LastReturned(killedSpool, Killed);
        var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.That(killed.Lines, Has.None.StartsWith("produced"), "the producer had finished, so the kill was not mid-run");

        server.Restart();
        var restarted = Track(ProducerApp.StartSpooled(server.Configuration, streamKey, Restarted, RestartedEvents, EventsPerSecond, killedSpool));
        var second = Track(CollectorApp.Start(server.Configuration, streamKey, Group, "collector-2", secondFile,
            TimeSpan.FromMilliseconds(500), 0, hang: false));

        var expected = new Dictionary<string, long> { [Steady] = SteadyEvents, [Killed] = killedReturned, [Restarted] = RestartedEvents };
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        WaitUntilEverythingIsWritten(expected, [steady, restarted], second, database, streamKey, [firstFile], secondFile, clock);
        second.CloseInput();
        foreach (var app in new[] { steady, restarted, second })
        {
            Assert.That(app.WaitForExit(Exit), Is.True, app.Describe());
        }

        var (byFirst, bySecond) = (EventLine.ReadAll(firstFile), EventLine.ReadAll(secondFile));
        var lines = byFirst.Concat(bySecond).ToList();
        var written = lines.GroupBy(l => (l.Producer, l.Sequence)).ToDictionary(g => g.Key, g => g.Count());
        var missing = Missing(expected, written);
        var duplicates = written.Values.Sum(count => count - 1);
        var killedAfterItsDeath = lines.Count(l => l.Producer == Killed && EntryMilliseconds(l.EntryId) > killedAt);
        TestContext.Out.WriteLine(
            $"{lines.Count:N0} lines in {clock.Elapsed.TotalSeconds:F1} s for {expected.Values.Sum():N0} events " +
            $"({Steady} {SteadyEvents:N0}, {Killed} {killedReturned:N0} returned from Emit before its kill, {Restarted} {RestartedEvents:N0}); " +
            $"{duplicates:N0} duplicates ({string.Join(", ", written.Where(w => w.Value > 1).GroupBy(w => w.Key.Producer).Select(g => $"{g.Key} {g.Count()}"))}); " +
            $"{killedAfterItsDeath:N0} lines of the killed producer's events sent from its spool by the restarted one; " +
            $"the first collector wrote {byFirst.Count:N0} lines before its kill, the second {bySecond.Count:N0}");

        Assert.Multiple(() =>
        {
            Assert.That(missing.Take(10), Is.Empty, $"{missing.Count} events whose Emit returned were never written");
            Assert.That(written.Keys.Where(k => !expected.TryGetValue(k.Producer, out var last) || k.Sequence < 1 ||
                                                (k.Producer != Killed && k.Sequence > last)),
                Is.Empty, "lines of events never logged");
            Assert.That(killedAfterItsDeath, Is.GreaterThanOrEqualTo(SpooledWhileRedisIsAway),
                "the events the killed producer spooled while Redis was away were not sent by its restart");
            Assert.That(database.StreamPending(streamKey, Group).PendingMessageCount, Is.Zero, "entries left unacknowledged");
            foreach (var (app, events) in new[] { (steady, SteadyEvents), (restarted, RestartedEvents) })
            {
                Assert.That(app.ExitCode, Is.Zero, app.Describe());
                Assert.That(app.Lines, Does.Contain($"produced {events} dropped 0"), app.Describe());
            }
        });
    }

    /// <summary>Wait until every expected event is in one of the files, the producers have exited and the group has
    /// nothing pending, or the deadline passes.</summary>
    static void WaitUntilEverythingIsWritten(Dictionary<string, long> expected, List<RunningApp> producers, RunningApp collector,
        IDatabase database, string streamKey, string[] doneFiles, string file, Stopwatch clock)
    {
        var written = new HashSet<(string, long)>();
        foreach (var done in doneFiles)
        {
            foreach (var line in EventLine.ReadAll(done)) written.Add((line.Producer, line.Sequence));
        }

        var tail = new FileTail(file);
        var complete = Poll.Until(() =>
        {
            tail.ReadNew(line =>
            {
                var parsed = EventLine.Parse(line);
                written.Add((parsed.Producer, parsed.Sequence));
            });
            return (expected.All(e => Enumerable.Range(1, (int)e.Value).All(s => written.Contains((e.Key, s)))) &&
                    producers.All(p => p.HasExited) && database.StreamPending(streamKey, Group).PendingMessageCount == 0) ||
                   collector.HasExited;
        }, Completion);

        Assert.That(complete && !collector.HasExited, Is.True,
            $"after {clock.Elapsed}: {expected.Sum(e => Enumerable.Range(1, (int)e.Value).Count(s => !written.Contains((e.Key, s))))} events missing; " +
            string.Join("; ", producers.Append(collector).Select(a => a.Describe())));
    }

    static List<(string Producer, long Sequence)> Missing(Dictionary<string, long> expected, Dictionary<(string, long), int> written) =>
        expected.SelectMany(e => Enumerable.Range(1, (int)e.Value).Select(s => (e.Key, (long)s)))
            .Where(key => !written.ContainsKey(key))
            .ToList();

    /// <summary>The time part of a stream entry's id (<c>ms-seq</c>): when Redis added it, by the machine's clock.</summary>
    static long EntryMilliseconds(string entryId) =>
        long.Parse(entryId.AsSpan(0, entryId.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);

    string InFolder(string name) => Path.Combine(_folder, name);

    RunningApp Track(RunningApp app)
    {
        _apps.Add(app);
        return app;
    }
}
