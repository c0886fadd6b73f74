using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener subclass, named in JSON settings by its assembly-qualified name, that stamps each event with its own
/// type name, its name, and its queue's capacity, full mode and protected level, so a test reading the log file can see how the queue was built.
/// </summary>
class TaggingListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    protected override LogEvent Prepare(LogEvent logEvent)
    {
        var prepared = base.Prepare(logEvent);
        var copy = new LogEvent(prepared.Timestamp, prepared.Level, prepared.Exception, prepared.MessageTemplate,
            prepared.Properties.Select(p => new LogEventProperty(p.Key, p.Value)));
        copy.AddOrUpdateProperty(new LogEventProperty("Listener", new ScalarValue(nameof(TaggingListener))));
        copy.AddOrUpdateProperty(new LogEventProperty("Capacity", new ScalarValue(Queue.Capacity)));
        copy.AddOrUpdateProperty(new LogEventProperty("FullMode", new ScalarValue((Queue as LogEventQueue)?.FullMode)));
        copy.AddOrUpdateProperty(new LogEventProperty("QueueName", new ScalarValue(Name)));
        copy.AddOrUpdateProperty(new LogEventProperty("ProtectedLevel", new ScalarValue((Queue as LogEventQueue)?.ProtectedLevel)));
        return copy;
    }
}
