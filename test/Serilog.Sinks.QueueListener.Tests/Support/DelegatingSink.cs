using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Calls a delegate for each event.
/// </summary>
class DelegatingSink(Action<LogEvent> write) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => write(logEvent);
}
