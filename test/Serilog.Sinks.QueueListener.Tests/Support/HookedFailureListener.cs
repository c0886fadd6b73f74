using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A collecting failure listener that runs a hook, on the reporting thread, before it records each failure.
/// </summary>
class HookedFailureListener(Action<string> hook) : CollectingFailureListener, ILoggingFailureListener
{
    void ILoggingFailureListener.OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        hook(message);
        OnLoggingFailed(sender, kind, message, events, exception);
    }
}
