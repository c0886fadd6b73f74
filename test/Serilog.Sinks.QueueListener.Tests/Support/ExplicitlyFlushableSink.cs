using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Implements <c>FlushToDisk()</c> only explicitly, through an interface, as Serilog.Sinks.File's rolling sink does.
/// </summary>
class ExplicitlyFlushableSink : ILogEventSink, ExplicitlyFlushableSink.IFlushable
{
    public interface IFlushable
    {
        void FlushToDisk();
    }

    public int FlushCount { get; private set; }

    public void Emit(LogEvent logEvent)
    {
    }

    void IFlushable.FlushToDisk() => FlushCount++;
}
