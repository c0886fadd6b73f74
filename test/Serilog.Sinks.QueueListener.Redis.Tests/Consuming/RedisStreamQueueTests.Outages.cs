using System.Diagnostics;
using System.Globalization;
using Serilog.Core;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>A collector waits out Redis: what it reads while Redis is slow or away is not left behind.</summary>
public partial class RedisStreamQueueTests
{
    [Test]
    public void AnEntryDeliveredToAReadThatTimedOutIsWrittenSoonAfterRedisAnswersAgain()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var database = admin.GetDatabase();
        var sink = new CollectingSink();

        // Reads give up after half a second, well inside the pause below; the claim idle time is the default, 30 s.
        using var queue = new RedisStreamQueue(server.Configuration + ",syncTimeout=500,asyncTimeout=500", streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        using var listener = new QueueListenerType(queue, sink).Start();
        AddEntry(database, streamKey, "before");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        AddEntryBehindAPause(database, streamKey, "during", pauseMilliseconds: 2000);

        // Well before the claim sweep, 30 s after the queue's first read, would take the entry back.
        Assert.That(sink.WaitFor(2, TimeSpan.FromSeconds(10)), Is.True,
            $"the entry was not written; {PendingCount(database, streamKey)} pending with the consumer");
        Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "before", "during" }));
    }

    [Test]
    public void AStallOfManyReadTimeoutsNeitherCountsDeliveriesOfTheLostEntryNorDropsItAsPoison()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var database = admin.GetDatabase();
        var sink = new CollectingSink();
        var failures = new CollectingFailureListener();

        // Reads give up after a tenth of a second, so the pause below times out more reads than the delivery limit
        // (here 3); each one runs once the pause ends.
        using var queue = new RedisStreamQueue(server.Configuration + ",syncTimeout=100,asyncTimeout=100", streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one", MaxDeliveryCount = 3 });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink).Start();
        AddEntry(database, streamKey, "before");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        AddEntryBehindAPause(database, streamKey, "during", pauseMilliseconds: 3000);

        Assert.That(sink.WaitFor(2, TimeSpan.FromSeconds(15)), Is.True,
            $"the entry was not written; {PendingCount(database, streamKey)} pending, {queue.DroppedCount} dropped");
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "before", "during" }));
            Assert.That(queue.DroppedCount, Is.Zero);
            Assert.That(failures.Failures.Select(f => f.Message), Has.None.Contains("without being acknowledged"));
        });
    }

    /// <summary>
    /// Pause Redis's writes (<c>CLIENT PAUSE ... WRITE</c>) and send an entry right behind the pause. The pause holds
    /// every write, a collector's XREADGROUP among them, and the XADD; when it ends, Redis runs the XADD first (its
    /// client was held first), then the reads the collector sent meanwhile, whose callers gave up long before: the
    /// first of them delivers the entry to the consumer, and its reply goes nowhere.
    /// </summary>
    static void AddEntryBehindAPause(IDatabase database, string streamKey, string text, int pauseMilliseconds)
    {
        var batch = database.CreateBatch();
        var paused = batch.ExecuteAsync("CLIENT", "PAUSE", pauseMilliseconds.ToString(CultureInfo.InvariantCulture), "WRITE");
        var added = batch.StreamAddAsync(streamKey, RedisStreamFormat.EventsField, Payload(text));
        batch.Execute();
        Assert.That(paused.Wait(Arrival) && added.Wait(Arrival), Is.True);
    }

    [Test]
    public void ADisposalWithRedisGoneAndAnAcknowledgementStillFailingEndsWithinItsFiveSeconds()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using (var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true"))
        using (new QueueListenerType(queue, sink).Start())
        {
            WriteAnEntryWhoseAcknowledgementFails(admin, streamKey, sink, failures);
            server.Stop();
        }

        // Sending the acknowledgement again and trimming would each wait out the 5 s command timeout.
        var watch = Stopwatch.StartNew();
        var disposal = Task.Run(queue.Dispose);

        Assert.That(disposal.Wait(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
    }

    [Test]
    public void ACollectorWaitsOutARedisThatIsStillLoadingItsDataAfterARestart()
    {
        // Loading 12,000 keys at 200 µs each takes seconds, and meanwhile the server answers LOADING (it looks up
        // every 1 KiB of the file rather than every 2 MB, so that a small file behaves like a large one).
        using var server = RedisServer.Start(appendOnly: true, "--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024");
        var streamKey = NewStreamKey();
        using (var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true"))
        {
            var filler = admin.GetDatabase();
            Task.WaitAll([.. Enumerable.Range(0, 12_000).Select(i => filler.StringSetAsync("filler:" + i, "x"))]);
            AddEntry(filler, streamKey, "before");

            // Into the append-only file's base, which is where the load delay applies.
            var redis = admin.GetServer(admin.GetEndPoints()[0]);
            redis.Execute("BGREWRITEAOF");
            Assert.That(Poll.Until(() => redis.Info("persistence").SelectMany(g => g)
                .Any(p => p.Key == "aof_rewrite_in_progress" && p.Value == "0"), Arrival), Is.True);
        }

        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000", streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink);
        listener.SetFailureListener(failures);
        listener.Start();
        Assert.That(sink.WaitFor(1, Arrival), Is.True);

        server.Stop();
        var loading = Stopwatch.StartNew();
        server.Restart();
        TestContext.Out.WriteLine($"restarted and loaded in {loading.ElapsedMilliseconds} ms");
        long refusedWhileLoading;
        using (var producer = ConnectionMultiplexer.Connect(server.Configuration))
        {
            // Counted since the restart, and only the collector sends stream reads: what it sent while loading.
            refusedWhileLoading = RejectedStreamCommands(producer.GetDatabase());
            AddEntry(producer.GetDatabase(), streamKey, "after");
        }

        var reports = string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}"));
        Assert.That(sink.WaitFor(2, TimeSpan.FromSeconds(10)), Is.True, "the entry added after the load was not written: " + reports);
        Assert.Multiple(() =>
        {
            Assert.That(refusedWhileLoading, Is.Positive, "the collector sent no read while Redis was loading, so it met no LOADING");
            Assert.That(sink.Events.Select(TextOf), Is.EqualTo(new[] { "before", "after" }));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), reports);
            Assert.That(listener.IsRunning, Is.True, "the listener stopped");
        });
    }

    /// <summary>How many stream commands (<c>X...</c>) the server has refused before running them, as it refuses
    /// them while loading (INFO commandstats' <c>rejected_calls</c>).</summary>
    static long RejectedStreamCommands(IDatabase database)
    {
        var stats = database.Execute("INFO", "commandstats").ToString();
        return stats.Split('\n')
            .Where(l => l.StartsWith("cmdstat_x", StringComparison.Ordinal))
            .SelectMany(l => l.Split(':', ',').Where(p => p.StartsWith("rejected_calls=", StringComparison.Ordinal)))
            .Sum(p => long.Parse(p["rejected_calls=".Length..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Refuse <c>XACK</c> to the default user, as a dropped connection would while the stream is otherwise idle, add
    /// an entry, and wait until the listener has written it and the failure of its acknowledgement is reported.
    /// </summary>
    static void WriteAnEntryWhoseAcknowledgementFails(IConnectionMultiplexer admin, string streamKey, CollectingSink sink,
        CollectingFailureListener failures)
    {
        admin.GetServer(admin.GetEndPoints()[0]).Execute("ACL", "SETUSER", "default", "-xack");
        AddEntry(admin.GetDatabase(), streamKey, "written");
        Assert.That(sink.WaitFor(1, Arrival), Is.True);
        Assert.That(failures.WaitFor("failed to acknowledge", Arrival), Is.True, "the failed acknowledgement was not reported");
    }

    [Test]
    public void EntriesWhoseAcknowledgementFailedAreAcknowledgedWhileTheStreamIsIdleOnceRedisTakesItAgain()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var database = admin.GetDatabase();
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink).Start();

        WriteAnEntryWhoseAcknowledgementFails(admin, streamKey, sink, failures);
        redis.Execute("ACL", "SETUSER", "default", "+xack");

        // No batch comes to take it along: the idle queue sends it again itself, long before a claim sweep.
        Assert.That(Poll.Until(() => PendingCount(database, streamKey) == 0, TimeSpan.FromSeconds(5)), Is.True,
            "an entry the listener wrote stayed unacknowledged");
    }

    [Test]
    public void EntriesWhoseAcknowledgementFailedAreAcknowledgedByTheDisposalOnceRedisTakesItAgain()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var database = admin.GetDatabase();
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();

        // A connection of the test's own, to see when what the listener sent has been answered.
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using (new QueueListenerType(queue, sink).Start())
        {
            WriteAnEntryWhoseAcknowledgementFails(admin, streamKey, sink, failures);
        }

        // The listener has stopped, so only the queue's disposal can send the acknowledgement again; but the one it sent
        // last while idle may still be on its way, and would succeed once XACK is allowed again: it is let fail first.
        Assert.That(Poll.Until(() => connection.GetCounters().TotalOutstanding == 0, Arrival), Is.True, "the listener's last acknowledgement was never answered");
        redis.Execute("ACL", "SETUSER", "default", "+xack");
        Assert.That(PendingCount(database, streamKey), Is.EqualTo(1));
        queue.Dispose();

        Assert.That(PendingCount(database, streamKey), Is.Zero, "an entry the listener wrote was left unacknowledged");
    }

    [Test]
    public void ASecondDisposalDoesNothingEvenWhenAnAcknowledgementIsStillFailing()
    {
        using var server = RedisServer.Start();
        var streamKey = NewStreamKey();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using (new QueueListenerType(queue, sink).Start())
        {
            WriteAnEntryWhoseAcknowledgementFails(admin, streamKey, sink, failures);
        }

        queue.Dispose();
        var reportsBefore = failures.Failures.Count;
        var acknowledgementsBefore = XackAttempts(admin);
        Assert.That(acknowledgementsBefore, Is.Positive, "the refused acknowledgements were not counted, so a resend could not show");

        Assert.DoesNotThrow(queue.Dispose);

        // Nothing sent and nothing reported: the acknowledgement is not tried again, over the closed connection or
        // any other.
        Assert.That(XackAttempts(admin), Is.EqualTo(acknowledgementsBefore));
        Assert.That(failures.Failures, Has.Count.EqualTo(reportsBefore));
    }

    /// <summary>How many XACK commands the server has seen, refused ones included (INFO commandstats).</summary>
    static long XackAttempts(IConnectionMultiplexer admin)
    {
        var stats = (string?)admin.GetDatabase().Execute("INFO", "commandstats") ?? "";
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_xack:", StringComparison.Ordinal));
        if (line is null) return 0;

        return line["cmdstat_xack:".Length..].Trim().Split(',')
            .Select(field => field.Split('='))
            .Where(pair => pair[0] is "calls" or "rejected_calls" or "failed_calls")
            .Sum(pair => long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public void EventsLoggedAcrossARedisThatStopsAnsweringForSecondsAllArriveSoonAfter()
    {
        using var server = RedisServer.Start(appendOnly: false, "--enable-debug-command", "local");
        var streamKey = NewStreamKey();
        const string timeouts = ",syncTimeout=500,asyncTimeout=500";
        var sink = new CollectingSink();
        var failures = new CollectingFailureListener();
        using var queue = new RedisStreamQueue(server.Configuration + timeouts, streamKey, new RedisStreamQueueOptions { GroupName = Group, ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink).Start();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true,syncTimeout=10000");
        const int count = 2000;

        using (var logger = new LoggerConfiguration()
                   .WriteTo.Queue(a => a.RedisStream(server.Configuration + timeouts, streamKey, batchSizeLimit: 10))
                   .CreateLogger())
        {
            Task? sleeping = null;
            for (var i = 0; i < count; i++)
            {
                logger.Information("Event {N}", i);
                if (i == count / 4) sleeping = admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("DEBUG", "SLEEP", "2");
            }

            Assert.That(sleeping!.Wait(Arrival), Is.True);
        }

        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("cannot be reached"), "the collector did not notice the stall");
        // Well before the claim sweep (30 s) would take back what a read that timed out was delivered.
        Assert.That(sink.WaitUntil(events => events.Select(StreamEvents.NumberOf).Distinct().Count() == count, TimeSpan.FromSeconds(10)),
            Is.True, $"{sink.Events.Select(StreamEvents.NumberOf).Distinct().Count()} of {count} arrived");
    }
}
