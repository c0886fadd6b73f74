using System.Globalization;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.AcrossProcesses;

/// <summary>
/// A producer process killed with SIGKILL loses what was in its in-process queue and the batch in flight, but what
/// Redis added is safe: the stream holds whole entries of a prefix of its events, and a collector writes each of them
/// once.
/// </summary>
[Category("AcrossProcesses")]
public class ProducerKilledTests
{
    const int Events = 100_000;

    /// <summary>Slow enough that the kill lands long before the producer is done: 100,000 events take 10 s.</summary>
    const int EventsPerSecond = 10_000;

    /// <summary>The entries in the stream when the producer is killed: some batches are in Redis by then.</summary>
    const int EntriesBeforeTheKill = 20;

    const string Producer = "producer-1";
    static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);

    [Test]
    public void WhatRedisAddedBeforeAProducerWasKilledIsAWholePrefixOfItsEventsWrittenOnceByACollector()
    {
        var server = RedisServer.Shared;
        var streamKey = StreamEvents.NewStreamKey("killed-producer");
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        try
        {
            using (var producer = ProducerApp.Start(server.Configuration, streamKey, Producer, Events, EventsPerSecond))
            {
                Assert.That(producer.WaitForLine(l => l == "producing", Signal), Is.True, producer.Describe());
                Assert.That(Poll.Until(() => database.StreamLength(streamKey) >= EntriesBeforeTheKill, Signal), Is.True, producer.Describe());
                producer.Kill();
                Assert.That(producer.Lines, Has.None.StartsWith("produced"), "the producer had finished, so the kill was not mid-run");
            }

            // Read straight from Redis: every entry whole (each of its lines an event), numbered on from the last.
            var entries = database.StreamRange(streamKey);
            var inStream = new List<long>();
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                Assert.That((string?)entry[RedisStreamFormat.SequenceField], Is.EqualTo((i + 1).ToString(CultureInfo.InvariantCulture)),
                    $"entry {entry.Id} is out of the producer's order");
                var events = ClefReader.ReadLines((byte[])entry[RedisStreamFormat.EventsField]!);
                Assert.That(events, Is.Not.Empty, $"entry {entry.Id} holds no event");
                inStream.AddRange(events.Select(SequenceOf));
            }

            var added = inStream.Count;
            TestContext.Out.WriteLine($"{entries.Length} entries of {added:N0} events in the stream when the producer was killed");
            Assert.That(inStream, Is.EqualTo(Enumerable.Range(1, added).Select(n => (long)n)),
                "the stream does not hold a prefix of the producer's events, in order, each once");
            Assert.That(added, Is.LessThan(Events), "nothing was lost, so the producer was not killed mid-run");

            var sink = new CollectingSink();
            using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "collector-1" }))
            using (var listener = new QueueListenerType(queue, sink).Start())
            {
                Assert.That(sink.WaitFor(added, Signal), Is.True, $"{sink.Events.Count} of {added} written");
                Assert.That(listener.Stop(Signal), Is.True);
            }

            var written = sink.Events;
            Assert.Multiple(() =>
            {
                Assert.That(written.Select(SequenceOf), Is.EqualTo(inStream), "the collector did not write each event once");
                Assert.That(written.Select(e => (Text(e, RedisStreamQueue.EntryIdPropertyName), Text(e, RedisStreamQueue.EntryIndexPropertyName))),
                    Is.Unique);
                Assert.That(written.Select(e => Text(e, RedisStreamQueue.ProducerPropertyName)).Distinct().Count(), Is.EqualTo(1));
                Assert.That(database.StreamPending(streamKey, "collectors").PendingMessageCount, Is.Zero);
            });
        }
        finally
        {
            database.KeyDelete(streamKey);
        }
    }

    static long SequenceOf(LogEvent logEvent) => long.Parse(Text(logEvent, "Sequence"), CultureInfo.InvariantCulture);

    static string Text(LogEvent logEvent, string property) => ((ScalarValue)logEvent.Properties[property]).Value!.ToString()!;
}
