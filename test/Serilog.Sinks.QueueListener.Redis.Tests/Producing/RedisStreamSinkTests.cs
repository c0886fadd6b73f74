using System.Globalization;
using Serilog.Core;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Producing;

public class RedisStreamSinkTests
{
    static readonly TimeSpan Arrival = TimeSpan.FromSeconds(30);

    [Test]
    public void EventsLoggedWhileRedisIsDownAllArriveOnceItIsBack()
    {
        using var server = RedisServer.Start(appendOnly: true);
        var streamKey = "logs-" + Guid.NewGuid().ToString("N");
        // Short timeouts, so that the outage is noticed and the reconnection tried within the test's time.
        var configuration = server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";
        var failures = new CollectingFailureListener();
        const int count = 3000;
        const int stopAt = count / 3;

        Task<bool>? restarted = null;
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, streamKey), bufferSize: 100), failures)
                   .CreateLogger())
        {
            for (var i = 0; i < count; i++)
            {
                logger.Information("Event {N}", i);
                if (i != stopAt) continue;

                server.Stop();
                // Logging goes on meanwhile, and blocks once the queue in front is full.
                restarted = Task.Run(() =>
                {
                    var noticed = failures.WaitFor("retrying", Arrival);
                    server.Restart();
                    return noticed;
                });
            }

            Assert.That(restarted!.Wait(Arrival), Is.True);
            Assert.That(restarted.Result, Is.True, "the outage was not reported");
        }

        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var numbers = connection.GetDatabase().StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(e => int.Parse(e.Properties["N"].ToString(), CultureInfo.InvariantCulture))
            .ToList();
        var duplicates = numbers.Count - numbers.Distinct().Count();
        TestContext.Out.WriteLine($"{numbers.Count} events in the stream, {duplicates} of them twice");
        Assert.Multiple(() =>
        {
            Assert.That(numbers.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
        });
    }

    [Test]
    public void EventsLoggedWhileRedisIsStillLoadingItsDataAfterARestartAllArrive()
    {
        // Loading 12,000 keys at 200 µs each takes seconds, and meanwhile the server answers LOADING.
        using var server = RedisServer.Start(appendOnly: true, "--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024");
        var streamKey = "logs-" + Guid.NewGuid().ToString("N");
        using (var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true"))
        {
            var filler = admin.GetDatabase();
            Task.WaitAll([.. Enumerable.Range(0, 12_000).Select(i => filler.StringSetAsync("filler:" + i, "x"))]);
            var redis = admin.GetServer(admin.GetEndPoints()[0]);
            redis.Execute("BGREWRITEAOF");
            Assert.That(Poll.Until(() => redis.Info("persistence").SelectMany(g => g)
                .Any(p => p.Key == "aof_rewrite_in_progress" && p.Value == "0"), Arrival), Is.True);
        }

        var configuration = server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";
        var failures = new CollectingFailureListener();
        const int count = 1000;
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, streamKey), bufferSize: 100), failures)
                   .CreateLogger())
        {
            logger.Information("Event {N}", 0);
            server.Stop();
            var restarted = Task.Run(server.Restart);
            for (var i = 1; i < count; i++)
            {
                logger.Information("Event {N}", i);
            }

            Assert.That(restarted.Wait(Arrival), Is.True);
        }

        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var numbers = connection.GetDatabase().StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(e => int.Parse(e.Properties["N"].ToString(), CultureInfo.InvariantCulture))
            .ToList();
        var reports = string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.Message}"));
        TestContext.Out.WriteLine(reports);
        Assert.Multiple(() =>
        {
            Assert.That(numbers.Distinct().Order(), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), reports);
        });
    }

    [Test]
    public void ALoggerDisposedWhileRedisIsPausedSendsEverythingOnceItAnswersAndEveryCopyOfARetriedEntryCanBeTold()
    {
        using var server = RedisServer.Start();
        var streamKey = "logs-" + Guid.NewGuid().ToString("N");
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var failures = new CollectingFailureListener();
        const int count = 2000;

        // Sends give up after half a second, well inside the pause, and are sent again while the first still waits
        // in Redis: each copy is added once the pause ends.
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration + ",asyncTimeout=500", streamKey, batchSizeLimit: 100),
                bufferSize: 100), failures)
            .CreateLogger();
        logger.Information("Event {N}", 0);
        admin.GetServer(admin.GetEndPoints()[0]).Execute("CLIENT", "PAUSE", "2000", "WRITE");
        for (var i = 1; i < count; i++)
        {
            logger.Information("Event {N}", i);
        }

        logger.Dispose();

        var copies = admin.GetDatabase().StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!).Select((logEvent, index) =>
                (Key: $"{e[RedisStreamFormat.ProducerField]}/{e[RedisStreamFormat.SequenceField]}/{index}",
                    N: int.Parse(logEvent.Properties["N"].ToString(), CultureInfo.InvariantCulture))))
            .ToList();
        var byKey = copies.GroupBy(c => c.Key).ToList();
        TestContext.Out.WriteLine($"{copies.Count} events in the stream for {count} logged");
        Assert.Multiple(() =>
        {
            Assert.That(copies, Has.Count.GreaterThan(count), "no send was retried while the first still waited");
            Assert.That(byKey.Select(g => g.Select(c => c.N).Distinct().Count()), Is.All.EqualTo(1), "copies under one key differ");
            Assert.That(byKey.Select(g => g.First().N).Order(), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary),
                string.Join(Environment.NewLine, failures.Failures.Select(f => f.Message)));
        });
    }
}
