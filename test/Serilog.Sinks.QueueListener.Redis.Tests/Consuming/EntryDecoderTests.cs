using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

public class EntryDecoderTests
{
    const string Time = "2024-01-02T03:04:05Z";

    static EntryDecoder Decoder(List<Exception?>? reports = null) => new("s", (_, _, _, exception) => reports?.Add(exception));

    static StreamEntry Entry(string lines, bool withOrigin = true) =>
        new("1700000000000-3", withOrigin
            ? [new(RedisStreamFormat.EventsField, Encoding.UTF8.GetBytes(lines)), new(RedisStreamFormat.ProducerField, "host:1:abc"), new(RedisStreamFormat.SequenceField, 42)]
            : [new(RedisStreamFormat.EventsField, Encoding.UTF8.GetBytes(lines))]);

    static object? Value(LogEvent logEvent, string name) => ((ScalarValue)logEvent.Properties[name]).Value;

    [Test]
    public void EachEventIsMarkedWithItsEntryIndexProducerAndSequence()
    {
        var reports = new List<Exception?>();
        var events = Decoder(reports).Events(Entry($$"""{"@t":"{{Time}}","@mt":"a","A":1}""" + "\n" + $$"""{"@t":"{{Time}}","@mt":"b"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(2));
            Assert.That(events[0].Properties.Keys, Is.EqualTo(new[]
            {
                "A", RedisStreamQueue.EntryIdPropertyName, RedisStreamQueue.EntryIndexPropertyName,
                RedisStreamQueue.ProducerPropertyName, RedisStreamQueue.SequencePropertyName,
            }));
            Assert.That(events.Select(e => Value(e, RedisStreamQueue.EntryIdPropertyName)), Is.All.EqualTo("1700000000000-3"));
            Assert.That(events.Select(e => Value(e, RedisStreamQueue.EntryIndexPropertyName)), Is.EqualTo(new object[] { 0, 1 }));
            Assert.That(events.Select(e => Value(e, RedisStreamQueue.ProducerPropertyName)), Is.All.EqualTo("host:1:abc"));
            Assert.That(events.Select(e => Value(e, RedisStreamQueue.SequencePropertyName)), Is.All.EqualTo(42L));
            Assert.That(reports, Is.Empty);
        });
    }

    [Test]
    public void TheEntrysValuesReplaceThoseOfTheSameNameOnTheLine()
    {
        var line = $$"""{"@t":"{{Time}}","@mt":"","{{RedisStreamQueue.EntryIndexPropertyName}}":-1,"A":1,"{{RedisStreamQueue.ProducerPropertyName}}":"mine"}""";

        var logEvent = Decoder().Events(Entry(line)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(Value(logEvent, RedisStreamQueue.EntryIndexPropertyName), Is.EqualTo(0));
            Assert.That(Value(logEvent, RedisStreamQueue.ProducerPropertyName), Is.EqualTo("host:1:abc"));
            // Replaced where the line had them, as AddOrUpdateProperty on the event does.
            Assert.That(logEvent.Properties.Keys, Is.EqualTo(new[]
            {
                RedisStreamQueue.EntryIndexPropertyName, "A", RedisStreamQueue.ProducerPropertyName,
                RedisStreamQueue.EntryIdPropertyName, RedisStreamQueue.SequencePropertyName,
            }));
        });
    }

    [Test]
    public void WithoutProducerAndSequenceAnEventIsMarkedWithItsEntryAndIndexOnly()
    {
        var logEvent = Decoder().Events(Entry($$"""{"@t":"{{Time}}","@mt":"a"}""", withOrigin: false)).Single();

        Assert.That(logEvent.Properties.Keys,
            Is.EqualTo(new[] { RedisStreamQueue.EntryIdPropertyName, RedisStreamQueue.EntryIndexPropertyName }));
    }

    [Test]
    public void AnUnreadableLineIsReportedAndTheIndexCountsReadableEventsOnly()
    {
        var reports = new List<Exception?>();
        var events = Decoder(reports).Events(Entry(
            $$"""{"@t":"{{Time}}","@mt":"a"}""" + "\n" + """{"@mt":"no time"}""" + "\n" + $$"""{"@t":"{{Time}}","@mt":"c"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "a", "c" }));
            Assert.That(events.Select(e => Value(e, RedisStreamQueue.EntryIndexPropertyName)), Is.EqualTo(new object[] { 0, 1 }));
            Assert.That(reports, Has.Count.EqualTo(1));
            Assert.That(reports[0], Is.InstanceOf<FormatException>());
        });
    }

    [Test]
    public void IndexesPastTheSharedOnesAreStillTheirOwn()
    {
        var lines = string.Join("\n", Enumerable.Range(0, 5000).Select(_ => $$"""{"@t":"{{Time}}","@mt":""}"""));

        var events = Decoder().Events(Entry(lines));

        Assert.That(events.Select(e => Value(e, RedisStreamQueue.EntryIndexPropertyName)), Is.EqualTo(Enumerable.Range(0, 5000)));
    }
}
