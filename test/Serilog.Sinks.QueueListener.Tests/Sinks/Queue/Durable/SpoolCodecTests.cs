using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// Events through a spool and back, read live (the same queue) and recovered (the next queue over the spool): random
/// events from a fixed seed, with every kind of value the format carries, nested, compared by a description that
/// includes each scalar's type.
/// </summary>
public class SpoolCodecTests
{
    static readonly MessageTemplateParser Parser = new();

    [Test]
    public void RandomEventsComeBackTheSameLiveAndAfterARestart()
    {
        var random = new Random(20261207);
        var events = Enumerable.Range(0, 500).Select(_ => RandomEvent(random)).ToList();
        using var folder = new TempFolder();
        List<LogEvent> live;
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            foreach (var logEvent in events) Assert.That(queue.Enqueue(logEvent, CancellationToken.None), Is.True);
            live = DrainNow(queue, acknowledge: false);
        }

        using var next = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var recovered = DrainNow(next).Select(WithoutRedelivered).ToList();

        Assert.That(live.Select(Describe), Is.EqualTo(events.Select(Describe)));
        Assert.That(recovered.Select(Describe), Is.EqualTo(events.Select(Describe)));
    }

    [Test]
    public void AnExceptionComesBackAsItsTextAndTheTemplateStillRenders()
    {
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var exception = Thrown(new InvalidOperationException("boom"));
        var logEvent = new LogEvent(DateTimeOffset.Now, LogEventLevel.Error, exception, Parser.Parse("Failed {Order} for {@Customer}"),
        [
            new LogEventProperty("Order", new ScalarValue(42)),
            new LogEventProperty("Customer", new StructureValue([new LogEventProperty("Name", new ScalarValue("Ada"))], "Customer")),
        ]);

        queue.Enqueue(logEvent, CancellationToken.None);
        var back = DrainNow(queue).Single();

        Assert.That(back.Exception!.ToString(), Is.EqualTo(exception.ToString()));
        Assert.That(back.Exception.Message, Is.EqualTo("System.InvalidOperationException: boom"));
        Assert.That(back.RenderMessage(CultureInfo.InvariantCulture), Is.EqualTo(logEvent.RenderMessage(CultureInfo.InvariantCulture)));
    }

    static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }

    static LogEvent WithoutRedelivered(LogEvent logEvent)
    {
        logEvent.RemovePropertyIfPresent(DurableLogEventQueue.RedeliveredPropertyName);
        return logEvent;
    }

    static LogEvent RandomEvent(Random random)
    {
        var count = random.Next(0, 6);
        var properties = Enumerable.Range(0, count).Select(i => new LogEventProperty($"P{i}{RandomText(random, 3)}", RandomValue(random, 0)));
        var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
        var timestamp = new DateTimeOffset(new DateTime(2020, 1, 1).AddTicks(random.NextInt64(0, TimeSpan.TicksPerDay * 3650)), offset);
        var template = Parser.Parse(random.Next(3) switch
        {
            0 => "Plain text",
            1 => "Hello {Name}, {Count:000} \u00e9\u4e2d\ud83d\ude00",
            _ => RandomText(random, random.Next(0, 200)),
        });
        var traceId = random.Next(2) == 0 ? ActivityTraceId.CreateRandom() : default;
        var spanId = random.Next(2) == 0 ? ActivitySpanId.CreateRandom() : default;
        var exception = random.Next(4) == 0 ? new SpooledException("System.Exception: " + RandomText(random, 50) + "\n   at Somewhere()") : null;
        return new LogEvent(timestamp, (LogEventLevel)random.Next(6), exception, template, properties, traceId, spanId);
    }

    static LogEventPropertyValue RandomValue(Random random, int depth)
    {
        var kind = random.Next(depth < 3 ? 23 : 20);
        return kind switch
        {
            20 => new SequenceValue(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1))),
            21 => new StructureValue(
                Enumerable.Range(0, random.Next(4)).Select(i => new LogEventProperty($"S{i}", RandomValue(random, depth + 1))),
                random.Next(2) == 0 ? null : "Type" + random.Next(10)),
            22 => new DictionaryValue(Enumerable.Range(0, random.Next(4)).Select(i =>
                new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(i % 2 == 0 ? i : "key" + i), RandomValue(random, depth + 1)))),
            _ => new ScalarValue(RandomScalar(random, kind)),
        };
    }

    static object? RandomScalar(Random random, int kind) => kind switch
    {
        0 => null,
        1 => RandomText(random, random.Next(0, 100)),
        2 => random.Next(2) == 0,
        3 => random.Next(int.MinValue, int.MaxValue),
        4 => random.NextInt64(long.MinValue, long.MaxValue),
        5 => (ulong)random.NextInt64() * 2,
        6 => random.NextDouble() * 1e10 - 5e9,
        7 => (float)random.NextDouble(),
        8 => (decimal)random.NextDouble() * 1000m,
        9 => new DateTime(random.NextInt64(0, DateTime.MaxValue.Ticks), (DateTimeKind)random.Next(3)),
        10 => new DateTimeOffset(new DateTime(random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay)), TimeSpan.FromMinutes(random.Next(-600, 600))),
        11 => TimeSpan.FromTicks(random.NextInt64()),
        12 => Guid.NewGuid(),
        13 => (char)random.Next(32, 0xD7FF),
        14 => (byte)random.Next(256),
        15 => (sbyte)random.Next(-128, 128),
        16 => (short)random.Next(short.MinValue, short.MaxValue),
        17 => (ushort)random.Next(ushort.MaxValue),
        18 => (uint)random.NextInt64(0, uint.MaxValue),
        _ => "text of another type",
    };

    static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(random.Next(10) switch
            {
                0 => '\u00e9',
                1 => '\u4e2d',
                2 => '"',
                3 => '\n',
                _ => (char)random.Next('a', 'z' + 1),
            });
        }

        return text.ToString();
    }

    /// <summary>Everything about an event, each scalar with its type, so that an int that came back a long differs.</summary>
    static string Describe(LogEvent logEvent)
    {
        var text = new StringBuilder();
        text.Append(logEvent.Timestamp.UtcTicks).Append('/').Append(logEvent.Timestamp.Offset).Append(' ').Append(logEvent.Level)
            .Append(' ').Append(logEvent.MessageTemplate.Text).Append(" x=").Append(logEvent.Exception?.ToString())
            .Append(" t=").Append(logEvent.TraceId).Append(" s=").Append(logEvent.SpanId);
        foreach (var property in logEvent.Properties)
        {
            text.Append(' ').Append(property.Key).Append('=');
            Describe(property.Value, text);
        }

        return text.ToString();
    }

    static void Describe(LogEventPropertyValue value, StringBuilder text)
    {
        switch (value)
        {
            case ScalarValue scalar:
                text.Append(scalar.Value?.GetType().Name).Append(':').Append(scalar.Value switch
                {
                    DateTime or DateTimeOffset => ((IFormattable)scalar.Value).ToString("o", CultureInfo.InvariantCulture),
                    double or float => ((IFormattable)scalar.Value).ToString("R", CultureInfo.InvariantCulture),
                    _ => Convert.ToString(scalar.Value, CultureInfo.InvariantCulture),
                });
                if (scalar.Value is DateTime dateTime) text.Append(dateTime.Kind);
                break;
            case SequenceValue sequence:
                text.Append('[');
                foreach (var element in sequence.Elements)
                {
                    Describe(element, text);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case StructureValue structure:
                text.Append(structure.TypeTag).Append('{');
                foreach (var property in structure.Properties)
                {
                    text.Append(property.Name).Append(':');
                    Describe(property.Value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
            case DictionaryValue dictionary:
                text.Append("d{");
                foreach (var element in dictionary.Elements)
                {
                    Describe(element.Key, text);
                    text.Append("=>");
                    Describe(element.Value, text);
                    text.Append(',');
                }

                text.Append('}');
                break;
        }
    }
}
