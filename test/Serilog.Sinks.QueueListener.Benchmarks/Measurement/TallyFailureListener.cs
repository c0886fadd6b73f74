using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Counts the events a pipeline reports as failed (dropped when full, or lost at shutdown) into a
/// <see cref="Tally"/>. Failures reported without events are counted apart, since they cannot be matched to events.
/// </summary>
sealed class TallyFailureListener(Tally tally) : ILoggingFailureListener
{
    long _reportsWithoutEvents;

    public long ReportsWithoutEvents => Volatile.Read(ref _reportsWithoutEvents);

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message,
        IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (events is { Count: > 0 })
        {
            tally.AddDropped(events.Count);
        }
        else
        {
            Interlocked.Increment(ref _reportsWithoutEvents);
        }
    }
}
