using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener subclass for <c>listenerType</c>: stamps each event with a property in <see cref="Prepare"/>.
/// </summary>
public class SubclassedListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    protected override LogEvent Prepare(LogEvent logEvent)
    {
        var prepared = base.Prepare(logEvent);
        var copy = new LogEvent(prepared.Timestamp, prepared.Level, prepared.Exception, prepared.MessageTemplate,
            prepared.Properties.Select(p => new LogEventProperty(p.Key, p.Value)));
        copy.AddOrUpdateProperty(new LogEventProperty("PreparedBy", new ScalarValue(nameof(SubclassedListener))));
        return copy;
    }
}
