using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Hands failures to an <see cref="ILoggingFailureListener"/> without ever letting the listener's own exceptions
/// escape: every caller is on a logging path (an application thread in <c>Emit</c>, or the listener thread). The one
/// path every report of this package takes, so that a report to Serilog's default listener, which only an enabled
/// SelfLog would show, is also shown on standard error (see <see cref="StandardErrorReports"/>).
/// </summary>
static class FailureReporting
{
    public static void Report(
        this ILoggingFailureListener failureListener,
        object sender,
        LoggingFailureKind kind,
        string message,
        IReadOnlyCollection<LogEvent>? events,
        Exception? exception = null)
    {
        if (ReferenceEquals(failureListener, SelfLog.FailureListener))
        {
            StandardErrorReports.Record(sender, kind, message, events, exception);
        }

        try
        {
            failureListener.OnLoggingFailed(sender, kind, message, events, exception);
        }
        catch (ThreadInterruptedException)
        {
            // The failure listener waited and was interrupted: the interrupt was meant for the thread, not for us.
            Thread.CurrentThread.Interrupt();
        }
        catch (Exception listenerException)
        {
            SelfLog.WriteLine("The failure listener {0} threw while reporting \"{1}\": {2}", failureListener, message,
                listenerException);
        }
    }

    /// <summary>
    /// Report an event that could not be enqueued, and let an interrupt that a user's queue let out still reach the
    /// thread.
    /// </summary>
    public static void ReportEnqueueFailure(this ILoggingFailureListener failureListener, object sender, LogEvent logEvent,
        Exception exception)
    {
        failureListener.Report(sender, LoggingFailureKind.Permanent, "failed enqueuing an event", [logEvent], exception);
        if (exception is ThreadInterruptedException) Thread.CurrentThread.Interrupt();
    }
}
