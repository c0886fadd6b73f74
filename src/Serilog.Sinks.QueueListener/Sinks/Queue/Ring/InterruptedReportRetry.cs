using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Hands a report to the failure listener, trying again at once when an interrupt cuts the call short: for reports
/// that are the only trace of the events they carry (the events a queue dropped), which
/// <see cref="FailureReporting.Report"/> would let go when interrupted.
/// </summary>
/// <remarks>
/// The failure listener is the application's code and may wait (a lock around a writer, a fallback sink); an
/// interrupt meant for the thread that reports (often a producer) then surfaces there.
/// <see cref="FailureReporting.Report"/> keeps the interrupt but not the report, so the events would be counted as
/// dropped and never seen. A listener that throws has not taken the report, so offering it again is what gives the
/// events their report; one that had passed some of them on before the interrupt may see those twice, the side to err
/// on when the report is the only trace of a lost event. Each attempt consumes the interrupt that cut the last one
/// short, so a further failure needs a further interrupt; the bound on attempts covers a listener that throws one
/// itself. Any other exception counts as reported, as <see cref="FailureReporting.Report"/> has it.
/// </remarks>
static class InterruptedReportRetry
{
    /// <summary>How many times a report is offered while interrupts cut it short.</summary>
    const int Attempts = 3;

    /// <summary>
    /// Report <paramref name="events"/> as <see cref="LoggingFailureKind.Permanent"/>; never throws.
    /// </summary>
    /// <param name="listener">The failure listener.</param>
    /// <param name="sender">The sender of the report.</param>
    /// <param name="message">The report's message.</param>
    /// <param name="events">The events the report carries.</param>
    /// <param name="interrupted">Set when an interrupt was held back; the caller raises it again once done (see
    /// <see cref="InterruptDeferral.Restore"/>).</param>
    /// <returns><see langword="false"/> when every attempt was interrupted: the events have no report yet, and the
    /// caller must keep them for a later one.</returns>
    public static bool TryReport(ILoggingFailureListener listener, object sender, string message,
        IReadOnlyCollection<LogEvent> events, ref bool interrupted)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            try
            {
                listener.OnLoggingFailed(sender, LoggingFailureKind.Permanent, message, events, null);
                FailureReporting.ShowIfUnseen(listener, sender, LoggingFailureKind.Permanent, message, events, null);
                return true;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
            catch (Exception listenerException)
            {
                SelfLog.WriteLine("The failure listener {0} threw while reporting \"{1}\": {2}", listener, message,
                    listenerException);
                FailureReporting.ShowIfUnseen(listener, sender, LoggingFailureKind.Permanent, message, events, null);
                return true;
            }
        }

        return false;
    }
}
