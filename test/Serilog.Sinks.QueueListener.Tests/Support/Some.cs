using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Makes test events.
/// </summary>
static class Some
{
    static readonly MessageTemplateParser Parser = new();
    static int _counter;

    public static LogEvent Event(int sequence = 0, LogEventLevel level = LogEventLevel.Information, int producer = 0)
    {
        return new LogEvent(
            DateTimeOffset.Now,
            level,
            null,
            Parser.Parse("Event {Sequence} from {Producer}"),
            [
                new LogEventProperty("Sequence", new ScalarValue(sequence)),
                new LogEventProperty("Producer", new ScalarValue(producer)),
            ]);
    }

    public static LogEvent Event() => Event(Interlocked.Increment(ref _counter));

    public static int SequenceOf(LogEvent logEvent) => (int)((ScalarValue)logEvent.Properties["Sequence"]).Value!;

    public static int ProducerOf(LogEvent logEvent) => (int)((ScalarValue)logEvent.Properties["Producer"]).Value!;
}
