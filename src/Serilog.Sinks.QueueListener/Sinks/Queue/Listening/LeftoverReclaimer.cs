using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Empties the queue of a <see cref="QueueListener"/> that will take nothing more off it, reporting what it finds
/// as not written; see <see cref="Reclaim"/>.
/// </summary>
sealed class LeftoverReclaimer
{
    /// <summary>How long <see cref="Reclaim"/> waits, in <see cref="SpinWait"/> turns, for reserved slots to be
    /// written.</summary>
    const int ReservedSlotSpinLimit = 200;

    readonly QueueListener _owner;

    /// <summary>Serialises <see cref="Reclaim"/> between disposal and late producers.</summary>
    readonly object _reclaimSync = new();

    /// <param name="owner">The listener whose queue is reclaimed, reported as the sender of failures.</param>
    public LeftoverReclaimer(QueueListener owner)
    {
        _owner = owner;
    }

    /// <summary>
    /// Take whatever is still in the queue and report it as <see cref="LoggingFailureKind.Final"/>: used after the
    /// listener has stopped for good, for events that arrived too late or that an abandoned drain left behind.
    /// </summary>
    /// <param name="reason">Why the events will not be written, for the report.</param>
    public void Reclaim(string reason)
    {
        lock (_reclaimSync)
        {
            var queue = _owner.Queue;
            var leftovers = new List<LogEvent>();
            var batch = new LogEvent[ListenerLoop.BatchSize];
            var spinner = new SpinWait();
            var tookSentinel = false;
            while (true)
            {
                int count;
                QueueMarker? marker;
                try
                {
                    count = queue.TryDequeue(batch, out marker);
                }
                catch (Exception ex)
                {
                    _owner.FailureListener.Report(_owner, LoggingFailureKind.Final, "failed reclaiming queued events", null, ex);
                    break;
                }

                if (count > 0)
                {
                    leftovers.AddRange(batch.Take(count));
                    Array.Clear(batch, 0, count);
                }
                else if (marker is not null)
                {
                    marker.Reached.TrySetResult(false);
                    tookSentinel |= marker.Kind == QueueMarkerKind.Sentinel;
                }
                else if (queue.Count > 0 && spinner.Count < ReservedSlotSpinLimit)
                {
                    // A producer has reserved a slot but not yet written it: two stores away, unless its thread was
                    // descheduled in between, so allow for a few scheduler quanta before giving up on it.
                    spinner.SpinOnce();
                }
                else
                {
                    break;
                }
            }

            if (leftovers.Count > 0)
            {
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Final,
                    $"{reason}; {leftovers.Count} queued events were not written", leftovers);
            }

            if (tookSentinel && _owner.IsRunning) PutBackSentinel();
        }
    }

    /// <summary>
    /// Give an abandoned listener thread, stuck in a sink, a sentinel to end on once it gets free: without one it
    /// would find the queue empty and park for good: a thread leaked for every shutdown that timed out, and the sinks
    /// never disposed (see <see cref="ListenerRunState.LeaveSinkDisposalToListenerThread"/>). Each reclaim that takes
    /// the sentinel puts one back, and reclaims are serialised, so the last sentinel put back stays for the thread;
    /// the queue's own wake-up protocol then makes sure a parked thread sees it. A thread that ends meanwhile leaves a
    /// marker in a queue nobody reads any more.
    /// </summary>
    void PutBackSentinel()
    {
        try
        {
            _owner.Queue.EnqueueMarker(new QueueMarker(QueueMarkerKind.Sentinel));
        }
        catch (Exception ex)
        {
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Final,
                "failed putting back the sentinel for an abandoned listener thread", null, ex);
        }
    }
}
