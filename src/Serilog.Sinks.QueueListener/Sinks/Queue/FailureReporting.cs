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
        ShowIfUnseen(failureListener, sender, kind, message, events, exception);

        // A failure listener that waits (a lock around a writer, a fallback sink) can be cut short by an interrupt
        // meant for this thread: offered again, the report is not lost for it, and the interrupt is raised again once
        // the report is in.
        var interrupted = false;
        for (var attempt = 0; attempt < InterruptedAttempts; attempt++)
        {
            try
            {
                failureListener.OnLoggingFailed(sender, kind, message, events, exception);
                break;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
            catch (Exception listenerException)
            {
                SelfLog.WriteLine("The failure listener {0} threw while reporting \"{1}\": {2}", failureListener, message,
                    listenerException);
                break;
            }
        }

        if (interrupted) Thread.CurrentThread.Interrupt();
    }

    /// <summary>How many times a report is offered while interrupts cut it short; each attempt consumes the interrupt
    /// that cut the last one short, so the bound only covers a listener that interrupts itself.</summary>
    const int InterruptedAttempts = 3;

    /// <summary>
    /// A report to Serilog's default failure listener, which only an enabled SelfLog would show, is also shown on
    /// standard error (see <see cref="StandardErrorReports"/>). Every report of this package passes here once.
    /// </summary>
    public static void ShowIfUnseen(ILoggingFailureListener failureListener, object sender, LoggingFailureKind kind,
        string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (ReferenceEquals(failureListener, SelfLog.FailureListener))
        {
            StandardErrorReports.Record(sender, kind, message, events, exception);
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
