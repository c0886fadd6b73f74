using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reports events a listener that is shutting down will not write: as <see cref="LoggingFailureKind.Final"/>, with the
/// events, "not written"; or, from a queue that keeps them for another consumer (<see cref="IRetainingQueue"/>), as
/// <see cref="LoggingFailureKind.Temporary"/>, without the events, saying where they stay.
/// </summary>
static class UnwrittenEvents
{
    /// <param name="failures">Where to report.</param>
    /// <param name="queue">The listener's queue.</param>
    /// <param name="reason">Why the listener will not write them.</param>
    /// <param name="which">Which events they are, after their count: "queued events", say.</param>
    /// <param name="events">The events; none, nothing is reported.</param>
    public static void Report(ListenerFailures failures, ILogEventQueue queue, string reason, string which, IReadOnlyCollection<LogEvent> events)
    {
        if (events.Count == 0) return;

        if (queue is IRetainingQueue retaining)
        {
            ReportRetained(failures, retaining, reason, which, events.Count);
            return;
        }

        ReportNotWritten(failures, reason, which, events);
    }

    /// <summary>Report <paramref name="count"/> events that <paramref name="queue"/> keeps for another consumer, as
    /// <see cref="LoggingFailureKind.Temporary"/>, without the events; none, nothing is reported.</summary>
    public static void ReportRetained(ListenerFailures failures, IRetainingQueue queue, string reason, string which, long count)
    {
        if (count == 0) return;

        failures.Report(LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "{0}; {1} {2} were not written by this listener: {3}", reason, count, which, queue.WhereUnwrittenEventsStay), null);
    }

    /// <summary>Report events that nothing keeps (those of a queue that keeps nothing, or carried by a marker, which
    /// lives in memory only) as <see cref="LoggingFailureKind.Final"/>, with the events; none, nothing is
    /// reported.</summary>
    public static void ReportNotWritten(ListenerFailures failures, string reason, string which, IReadOnlyCollection<LogEvent> events)
    {
        if (events.Count == 0) return;

        failures.Report(LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
            "{0}; {1} {2} were not written", reason, events.Count, which), events);
    }
}
