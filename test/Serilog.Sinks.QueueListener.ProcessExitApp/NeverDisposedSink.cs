using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// Takes every event and does nothing with it; its <see cref="Dispose"/> never returns, as a sink's might when the
/// service it closes a connection to no longer answers.
/// </summary>
sealed class NeverDisposedSink : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent)
    {
    }

    public void Dispose() => Thread.Sleep(Timeout.Infinite);
}
