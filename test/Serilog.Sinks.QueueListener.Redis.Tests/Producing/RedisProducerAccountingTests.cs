using System.Diagnostics;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Producing;

/// <summary>
/// The producer's accounting at shutdown: whatever Redis does, every event logged is either in the stream or reported,
/// once, and the logger's disposal returns within its shutdown timeout and the documented bound.
/// </summary>
[NonParallelizable]
public class RedisProducerAccountingTests
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The bound the README documents (the core's grace of 100 ms after giving up) plus a margin for a
    /// loaded 2-core machine, where the thread pool can take a second to start the threads the shutdown waits
    /// on.</summary>
    static readonly TimeSpan ShutdownMargin = TimeSpan.FromMilliseconds(100) + TimeSpan.FromSeconds(1.4);

    [TestCase(100)]
    [TestCase(1000)]
    public void WhenRedisIsStoppedEveryEventIsReportedOnceWithinTheShutdownTimeout(int count)
    {
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()}";

        var outcome = LogAndClose(configuration, count);

        AssertAccounted(outcome, count, sent: []);
    }

    [TestCase(100)]
    [TestCase(1000)]
    public void WhenRedisRefusesThePasswordEveryEventIsReportedOnceWithinTheShutdownTimeout(int count)
    {
        using var server = RedisServer.StartRequiringPassword("right-password-4711");

        var outcome = LogAndClose(server.Configuration + ",password=wrong-password-0815", count);

        AssertAccounted(outcome, count, sent: []);
    }

    [TestCase(100)]
    [TestCase(1000)]
    public void WhenTheStreamKeyHoldsAStringEveryEventIsReportedOnce(int count)
    {
        var server = RedisServer.Shared;
        var streamKey = StreamEvents.NewStreamKey("wrongtype");
        using (var admin = ConnectionMultiplexer.Connect(server.Configuration))
        {
            admin.GetDatabase().StringSet(streamKey, "not a stream");
        }

        var outcome = LogAndClose(server.Configuration, count, streamKey);

        AssertAccounted(outcome, count, sent: []);
    }

    [Test]
    public void InDropIncomingModeWithAFullStreamEveryEventIsSentOrReportedOnce()
    {
        var server = RedisServer.Shared;
        var streamKey = StreamEvents.NewStreamKey("dropping");
        const int count = 1000;

        var outcome = LogAndClose(server.Configuration, count, streamKey, QueueFullMode.DropIncoming, maxStreamLength: 2,
            bufferSize: 50);

        AssertAccounted(outcome, count, SentNumbers(server.Configuration, streamKey));
    }

    [Test]
    public void WithThreeShardsAndRedisStoppedEveryEventIsReportedOnceWithinTheShutdownTimeout()
    {
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()}";
        const int count = 1000;

        // Each shard holds a batch in flight and a next batch: the shutdown takes back what all of them hold.
        var outcome = LogAndClose(configuration, count, shards: 3);

        AssertAccounted(outcome, count, sent: []);
    }

    [Test]
    public void WithThreeShardsInDropIncomingModeWithFullKeysEveryEventIsSentOrReportedOnce()
    {
        var server = RedisServer.Shared;
        var streamKey = StreamEvents.NewStreamKey("dropping");
        const int count = 1000;

        var outcome = LogAndClose(server.Configuration, count, streamKey, QueueFullMode.DropIncoming, maxStreamLength: 2,
            bufferSize: 50, shards: 3);

        AssertAccounted(outcome, count, SentNumbers(server.Configuration, streamKey, shards: 3));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void WhenAProducerProcessEndsWhileRedisIsStoppedEveryEventIsReportedOnce(bool closeLogger)
    {
        RedisServer.RequireInstalled();
        const int count = 1000;
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()}";

        // Without closing the logger, the queue's exit drain is what reports; the app counts after it.
        using var producer = ProducerApp.StartCounting(configuration, StreamEvents.NewStreamKey("exiting"), "exiting", count,
            shutdownSeconds: 2, closeLogger);

        Assert.That(producer.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the producer did not exit: " + producer.Describe());
        var line = producer.Lines.SingleOrDefault(l => l.StartsWith("reported ", StringComparison.Ordinal));
        TestContext.Out.WriteLine(line);
        Assert.That(line, Is.EqualTo($"reported {count} of {count}"), producer.Describe());
    }

    [Test]
    public void TheDefaultConfigurationWithRedisStoppedClosesWithinTheShutdownTimeout()
    {
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()}";
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream(configuration, "logs"), shutdownTimeout: ShutdownTimeout)
            .CreateLogger();
        for (var i = 0; i < 100; i++) logger.Information("Event {N}", i);

        var watch = Stopwatch.StartNew();
        logger.Dispose();

        Assert.That(watch.Elapsed, Is.LessThan(ShutdownTimeout + ShutdownMargin));
    }

    sealed record Outcome(CollectingFailureListener Failures, TimeSpan CloseTime);

    static Outcome LogAndClose(string configuration, int count, string? streamKey = null,
        QueueFullMode fullMode = QueueFullMode.Block, int maxStreamLength = 100_000, int bufferSize = 10_000, int shards = 1)
    {
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, streamKey ?? StreamEvents.NewStreamKey("accounting"),
                    batchSizeLimit: 10, maxStreamLength: maxStreamLength, shards: shards),
                bufferSize: bufferSize, fullMode: fullMode, shutdownTimeout: ShutdownTimeout), failures)
            .CreateLogger();
        for (var i = 0; i < count; i++) logger.Information("Event {N}", i);

        var watch = Stopwatch.StartNew();
        logger.Dispose();
        return new Outcome(failures, watch.Elapsed);
    }

    static List<int> SentNumbers(string configuration, string streamKey, int shards = 1)
    {
        using var connection = ConnectionMultiplexer.Connect(configuration);
        var database = connection.GetDatabase();
        return [.. StreamShards.KeysOf(streamKey, shards)
            .SelectMany(key => database.StreamRange(key))
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(StreamEvents.NumberOf)];
    }

    static void AssertAccounted(Outcome outcome, int count, List<int> sent)
    {
        var reported = outcome.Failures.Failures.SelectMany(f => f.Events).Select(StreamEvents.NumberOf).ToList();
        // An entry whose XADD was in flight when the shutdown gave up may have landed: reported as possibly written.
        var possiblyWritten = outcome.Failures.Failures.Where(f => f.Message.Contains("may or may not", StringComparison.Ordinal))
            .SelectMany(f => f.Events).Select(StreamEvents.NumberOf);
        var twice = reported.GroupBy(n => n).Count(g => g.Count() > 1);
        TestContext.Out.WriteLine(
            $"logged {count}, sent {sent.Count}, reported {reported.Count}, reported twice {twice}, closed in {outcome.CloseTime.TotalMilliseconds:F0} ms");
        foreach (var failure in outcome.Failures.Failures)
        {
            TestContext.Out.WriteLine($"  {failure.Kind} ({failure.Events.Count}): {failure.Message}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(sent.Concat(reported).Distinct().Order(), Is.EqualTo(Enumerable.Range(0, count)), "sent or reported");
            Assert.That(twice, Is.Zero, "reported twice");
            Assert.That(sent.Intersect(reported).Except(possiblyWritten), Is.Empty, "both sent and reported");
            Assert.That(outcome.CloseTime, Is.LessThan(ShutdownTimeout + ShutdownMargin));
        });
    }
}
