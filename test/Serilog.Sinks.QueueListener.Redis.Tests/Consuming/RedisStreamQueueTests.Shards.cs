using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>One logical stream over several keys: producers with <c>shards: 3</c>, a collector with
/// <c>Shards = 3</c>, on one server (the keys' slots matter only in a cluster; see the topology tests).</summary>
public partial class RedisStreamQueueTests
{
    [Test]
    public void EveryEventIsWrittenOnceFromThreeKeysEachBoundedAcknowledgedAndTrimmedOnItsOwn()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        var keys = StreamShards.KeysOf(streamKey, 3);
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        const int count = 600;
        const int limit = 3;
        var producerFailures = new CollectingFailureListener();
        var logged = 0;

        // Disposed once every event has arrived, which sends nothing more; the using is for a failed assertion.
        using var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey, batchSizeLimit: 5, maxStreamLength: limit, shards: 3),
                bufferSize: 10, fullMode: QueueFullMode.Block), producerFailures)
            .CreateLogger();
        var logging = Task.Run(() =>
        {
            for (var i = 0; i < count; i++)
            {
                logger.Information("Event {N}", i);
                Interlocked.Increment(ref logged);
            }
        });

        // With no collector, each key fills to the limit on its own: three times what one key would hold.
        Assert.That(Poll.Until(() => keys.All(k => database.StreamLength(k) == limit), Arrival), Is.True,
            () => "stream lengths " + string.Join(", ", keys.Select(k => database.StreamLength(k))));
        Assert.That(Volatile.Read(ref logged), Is.LessThan(count), "logging did not wait for room in the keys");

        var sink = new CollectingSink();
        var collectorFailures = new CollectingFailureListener();
        var longest = 0L;
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey,
                   new RedisStreamQueueOptions { GroupName = "g", ConsumerName = "c", Shards = 3 }))
        {
            queue.SetFailureListener(collectorFailures);
            using (new QueueListenerType(queue, sink).Start())
            {
                var deadline = DateTime.UtcNow + Arrival;
                while (!sink.WaitFor(count, TimeSpan.FromMilliseconds(20)))
                {
                    longest = Math.Max(longest, keys.Max(k => database.StreamLength(k)));
                    Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{sink.Events.Count} of {count} arrived");
                }

                Assert.That(logging.Wait(Arrival), Is.True);
                logger.Dispose();
            }
        }

        var events = sink.Events;
        var byShard = events.GroupBy(e => e.Properties[RedisStreamQueue.ProducerPropertyName].ToString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(NumbersFrom(events).Order(), Is.EqualTo(Enumerable.Range(0, count)), "not every event exactly once");
            Assert.That(longest, Is.LessThanOrEqualTo(limit), "a key grew past its limit");

            // Each shard names a producer of its own, and keeps its events in the order they were logged.
            Assert.That(byShard, Has.Count.EqualTo(3));
            foreach (var shard in byShard) Assert.That(NumbersFrom(shard), Is.Ordered, "a key's events out of order");

            foreach (var key in keys)
            {
                Assert.That(database.StreamPending(key, "g").PendingMessageCount, Is.Zero, $"entries of {key} left pending");
                Assert.That(database.StreamLength(key), Is.Zero, $"acknowledged entries left in {key}");
            }

            Assert.That(database.KeyExists(streamKey), Is.False, "the key itself was written or read");
            Assert.That(producerFailures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
            Assert.That(collectorFailures.Failures, Is.Empty);
        });
    }

    [Test]
    public void ACollectorOfOneShardReportsOnceTheKeysOfProducersWithThreeAndLeavesThemForACollectorOfThree()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        var keys = StreamShards.KeysOf(streamKey, 3).Select(k => k.ToString()).ToList();
        using (var logger = new LoggerConfiguration().WriteTo.Queue(a => a.RedisStream(server.Configuration, streamKey, shards: 3)).CreateLogger())
        {
            for (var i = 0; i < 30; i++) logger.Information("Event {N}", i);
        }

        var failures = new CollectingFailureListener();
        var unread = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = "g" }))
        {
            queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, unread).Start();
            Assert.That(failures.WaitFor("another number of shards", Arrival), Is.True, "the keys it does not read were not reported");
        }

        var reports = failures.Failures.Where(f => f.Message.Contains("another number of shards", StringComparison.Ordinal)).ToList();
        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey, new RedisStreamQueueOptions { GroupName = "g", Shards = 3 }))
        using (new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(30, Arrival), Is.True, $"{sink.Events.Count} of 30 arrived");
        }

        Assert.Multiple(() =>
        {
            Assert.That(reports, Has.Count.EqualTo(1));
            Assert.That(reports[0].Kind, Is.EqualTo(LoggingFailureKind.Permanent));
            foreach (var key in keys) Assert.That(reports[0].Message, Does.Contain(key));
            Assert.That(unread.Events, Is.Empty);
            Assert.That(NumbersFrom(sink.Events).Order(), Is.EqualTo(Enumerable.Range(0, 30)));
        });
    }
}
