using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Where the listener's collaborators report failures: the listener's failure listener, read at each report (it is
/// set during configuration), with the listener as the sender. Handed to a collaborator instead of the listener
/// itself, so that it reaches no more than it needs.
/// </summary>
sealed class ListenerFailures
{
    readonly object _sender;
    readonly Func<ILoggingFailureListener> _failureListener;

    /// <param name="sender">The listener, reported as the sender.</param>
    /// <param name="failureListener">Reads the listener's failure listener.</param>
    public ListenerFailures(object sender, Func<ILoggingFailureListener> failureListener)
    {
        _sender = sender;
        _failureListener = failureListener;
    }

    /// <summary>Report a failure; never throws (see <see cref="FailureReporting"/>).</summary>
    public void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception = null) =>
        _failureListener().Report(_sender, kind, message, events, exception);
}
