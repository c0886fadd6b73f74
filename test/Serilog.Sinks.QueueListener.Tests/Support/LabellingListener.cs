using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener whose constructor takes more than the queue and the sinks, as only a listener factory can build:
/// stamps each event with a <c>Label</c> property.
/// </summary>
class LabellingListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks, string label)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    protected override LogEvent Prepare(LogEvent logEvent)
    {
        var copy = new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception, logEvent.MessageTemplate,
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)), logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
        copy.AddOrUpdateProperty(new LogEventProperty("Label", new ScalarValue(label)));
        return copy;
    }
}
