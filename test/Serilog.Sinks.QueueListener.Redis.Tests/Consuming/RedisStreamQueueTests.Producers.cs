using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>Each entry names its producer and its number among that producer's, so that an entry added twice can
/// be told.</summary>
public partial class RedisStreamQueueTests
{
    static object? ScalarOf(LogEvent logEvent, string property) => ((ScalarValue)logEvent.Properties[property]).Value;

    [Test]
    public void EachEventCarriesItsProducerAndItsEntrysNumberWhichCountFromOneWithoutGaps()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        const int count = 3000;
        Produce(server.Configuration, streamKey, "a", count);
        Produce(server.Configuration, streamKey, "b", count);

        var sink = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey))
        using (new QueueListenerType(queue, sink).Start())
        {
            Assert.That(sink.WaitFor(2 * count, Arrival), Is.True);
        }

        var byProducer = sink.Events
            .GroupBy(e => (string)ScalarOf(e, RedisStreamQueue.ProducerPropertyName)!)
            .ToDictionary(g => g.Key, g => g.ToList());
        Assert.That(byProducer, Has.Count.EqualTo(2), "one producer id per logger");
        foreach (var (producer, events) in byProducer)
        {
            var sequences = events.Select(e => (long)ScalarOf(e, RedisStreamQueue.SequencePropertyName)!).Distinct().ToList();
            var keys = events.Select(e => (ScalarOf(e, RedisStreamQueue.SequencePropertyName), ScalarOf(e, RedisStreamQueue.EntryIndexPropertyName)));
            Assert.Multiple(() =>
            {
                Assert.That(events.Select(e => e.Properties["Producer"].ToString()).Distinct().Count(), Is.EqualTo(1), producer);
                Assert.That(sequences, Is.EqualTo(Enumerable.Range(1, sequences.Count).Select(n => (long)n)), producer);
                Assert.That(keys, Is.Unique, producer);
            });
        }
    }
}
