using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>A sink whose service is gone: every event fails.</summary>
sealed class AlwaysThrowingSink : ILogEventSink
{
    public void Emit(LogEvent logEvent) => throw new InvalidOperationException("the service behind this sink is gone");
}
