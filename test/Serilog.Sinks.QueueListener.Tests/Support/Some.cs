using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Makes test events.
/// </summary>
static class Some
{
    /// <summary>Parsed once: a parse for each event would cost more than the queue, and hold back the tests that log
    /// millions of events.</summary>
    static readonly MessageTemplate Template = new MessageTemplateParser().Parse("Event {Sequence} from {Producer}");

    static int _counter;

    public static LogEvent Event(int sequence = 0, LogEventLevel level = LogEventLevel.Information, int producer = 0)
    {
        return new LogEvent(
            DateTimeOffset.Now,
            level,
            null,
            Template,
            [
                new LogEventProperty("Sequence", new ScalarValue(sequence)),
                new LogEventProperty("Producer", new ScalarValue(producer)),
            ]);
    }

    public static LogEvent Event() => Event(Interlocked.Increment(ref _counter));

    public static int SequenceOf(LogEvent logEvent) => (int)((ScalarValue)logEvent.Properties["Sequence"]).Value!;

    public static int ProducerOf(LogEvent logEvent) => (int)((ScalarValue)logEvent.Properties["Producer"]).Value!;
}
