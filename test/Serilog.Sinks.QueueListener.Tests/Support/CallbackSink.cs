using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A collecting sink that runs a callback for each event it receives, on the listener thread.
/// </summary>
class CallbackSink(Action<LogEvent> onEmit) : CollectingSink
{
    public override void Emit(LogEvent logEvent)
    {
        base.Emit(logEvent);
        onEmit(logEvent);
    }
}
