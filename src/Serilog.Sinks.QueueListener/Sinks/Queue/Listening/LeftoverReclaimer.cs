using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Empties the queue of a <see cref="QueueListener"/> that will take nothing more off it, reporting what it finds
/// as not written (or, from a queue that keeps it for another consumer, where it stays: see
/// <see cref="UnwrittenEvents"/>); see <see cref="Reclaim"/>.
/// </summary>
sealed class LeftoverReclaimer
{
    /// <summary>How long <see cref="Reclaim"/> waits, in <see cref="SpinWait"/> turns, for reserved slots to be
    /// written.</summary>
    const int ReservedSlotSpinLimit = 200;

    readonly ILogEventQueue _queue;
    readonly ListenerFailures _failures;

    /// <summary>Serialises <see cref="Reclaim"/> between disposal and late producers.</summary>
    readonly object _reclaimSync = new();

    /// <param name="queue">The listener's queue.</param>
    /// <param name="failures">Where what is reclaimed is reported, with the listener as the sender.</param>
    public LeftoverReclaimer(ILogEventQueue queue, ListenerFailures failures)
    {
        _queue = queue;
        _failures = failures;
    }

    /// <summary>
    /// Take whatever is still in the queue and report it as <see cref="LoggingFailureKind.Final"/>, with the events
    /// (from a queue that keeps them for another consumer, only counted and reported as kept there: see
    /// <see cref="UnwrittenEvents"/>): used once the listener takes nothing more off the queue, for events that arrived
    /// too late or that an abandoned drain left behind. Markers found are discarded (completed as not reached); the
    /// events that markers carry, in memory only, are reported as not written. Never throws.
    /// </summary>
    /// <param name="reason">Why the events will not be written, for the report.</param>
    public void Reclaim(string reason)
    {
        // A producer racing disposal may wait here for a reclaim under way; an interrupt must not cut that short.
        var interrupted = InterruptDeferral.Enter(_reclaimSync);
        try
        {
            var queue = _queue;
            var leftovers = new List<LogEvent>();

            // What a queue that keeps its events (a spool, a Redis stream) hands over is only counted: it stays there,
            // and a spool may hold far more than memory would. What markers carry lives in memory only.
            var retaining = queue as IRetainingQueue;
            var retained = 0L;
            var carried = new List<LogEvent>();
            var batch = new LogEvent[ListenerLoop.BatchSize];
            var spinner = new SpinWait();
            while (true)
            {
                int count;
                QueueMarker? marker;
                try
                {
                    count = queue.TryDequeue(batch, out marker);
                    if (count < 0 || count > batch.Length)
                    {
                        // A broken queue, as the listener treats it: take what the batch holds, and ask no more of it
                        // (one that returns a count too large for ever would otherwise keep this loop going).
                        TakeHeld(batch, leftovers);
                        _failures.Report(LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
                            "{0}; the queue {1} returned {2} from TryDequeue for a batch of {3}, so the {4} still queued are not reclaimed, and not written",
                            reason, queue.GetType(), count, batch.Length, QueuedCount.Describe(queue)), null);
                        break;
                    }

                    if (count == 0 && marker is null && queue.Count > 0 && spinner.Count < ReservedSlotSpinLimit)
                    {
                        // A producer has reserved a slot but not yet written it: two stores away, unless its thread was
                        // descheduled in between, so allow for a few scheduler quanta before giving up on it.
                        spinner.SpinOnce();
                        continue;
                    }
                }
                catch (Exception ex)
                {
                    _failures.Report(LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
                        "{0}; failed reclaiming the {1} still queued, which are not written", reason, QueuedCount.Describe(queue)), null, ex);
                    break;
                }

                if (count > 0)
                {
                    if (retaining is null) leftovers.AddRange(batch.Take(count));
                    else retained += count;
                    Array.Clear(batch, 0, count);
                }
                else if (marker is not null)
                {
                    if (marker.Event is { } logEvent) (retaining is null ? leftovers : carried).Add(logEvent);
                    marker.Complete(false);
                }
                else
                {
                    break;
                }
            }

            if (retaining is not null) UnwrittenEvents.ReportRetained(_failures, retaining, reason, "queued events", retained);
            UnwrittenEvents.ReportNotWritten(_failures, reason, "queued events", leftovers);
            UnwrittenEvents.ReportNotWritten(_failures, reason, "events carried past a full queue", carried);
        }
        finally
        {
            Monitor.Exit(_reclaimSync);
            InterruptDeferral.Restore(interrupted);
        }
    }

    /// <summary>Move the events a batch holds, up to its first empty cell, to <paramref name="leftovers"/>.</summary>
    static void TakeHeld(LogEvent[] batch, List<LogEvent> leftovers)
    {
        var held = 0;
        while (held < batch.Length && batch[held] is not null) held++;
        leftovers.AddRange(batch.Take(held));
        Array.Clear(batch, 0, held);
    }
}
