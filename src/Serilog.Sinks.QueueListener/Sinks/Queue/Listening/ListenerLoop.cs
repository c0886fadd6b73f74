using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// One type over two files: this one the loop of a run (take a batch, write it, reach the markers);
// ListenerLoop.Lifetime.cs the thread's body around it: how a run begins and ends, the requests that end it early,
// and the end of the final run. A partial class rather than collaborators, because both halves work on the same few
// fields of the listener thread (the held batch, the run's number, the end requests), and the loop, which is the
// listener's hot path, reaches them with no indirection.

/// <summary>
/// What the listener thread of a <see cref="QueueListener"/> runs: take batches off the queue, hand each event to
/// the listener, flush at flush markers, end at the sentinel; and, in the run that ends the listener's life, reclaim
/// what arrived too late and dispose the sinks. Nothing a sink, a metrics collector or a user's queue does can end
/// the thread with an exception.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "The end signal is never disposed: an abandoned listener thread may still wait on it after disposal returns.")]
sealed partial class ListenerLoop
{
    /// <summary>How many events the listener claims from the queue at once.</summary>
    public const int BatchSize = 512;

    /// <summary>The longest the listener waits on the queue before it looks again whether it must end: the bound
    /// on how long an abandoned or stopped listener parked in a user's queue, which it cannot wake, lingers.</summary>
    static readonly TimeSpan IdleCheckInterval = TimeSpan.FromMilliseconds(100);

    readonly ListenerParts _parts;
    readonly ListenerFailures _failures;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;

    /// <summary>The batch the listener thread holds; see <see cref="HeldBatch"/>.</summary>
    readonly HeldBatch _held = new(BatchSize);

    readonly QueueFaultBackoff _faults;

    /// <summary>The run that must end as soon as it finds the queue empty, because no sentinel could be sent for
    /// it; 0 for none. Volatile: written by the stopping thread, read by the listener thread.</summary>
    volatile int _endWhenEmptyRun;

    /// <summary>The number of the run under way; written by the listener thread as the run starts.</summary>
    int _run;

    /// <summary>Whether handling an event is only writing it to the sinks, read as the run starts; listener thread
    /// only.</summary>
    bool _writesOnly;

    /// <summary>The stage that holds events and flushes at a level, or <see langword="null"/>; read as the run
    /// starts. Told when the queue is found empty, and at the end of the final run.</summary>
    LevelAwareOutput? _levelAware;

    /// <summary>Records the latency of each event written; listener thread only.</summary>
    LatencyRecording _latency;

    /// <summary>Tells when the listener chases the producers, and lets them get ahead; listener thread only.</summary>
    ProducerChase _chase;

    /// <summary>
    /// The number of events handled. Written by the listener thread only, once per event, with a plain increment
    /// published by a volatile write (no interlocked operation is needed with a single writer); read by any thread
    /// with a volatile read, which is atomic for a long even on 32-bit platforms.
    /// </summary>
    long _handledCount;

    /// <param name="parts">The listener's parts the loop uses.</param>
    public ListenerLoop(ListenerParts parts)
    {
        _parts = parts;
        _sinks = parts.Sinks;
        _runState = parts.RunState;
        _failures = parts.Failures;
        _faults = new QueueFaultBackoff(parts.Queue, parts.Failures, _endRequested);
    }

    /// <summary>The number of events handled; see <see cref="_handledCount"/>.</summary>
    public long HandledCount => Volatile.Read(ref _handledCount);

    ListenerLoopEnd RunLoop(ListenerThreadContext context)
    {
        var queue = _parts.Queue;
        while (!_held.IsAbandoned)
        {
            int count;
            QueueMarker? marker;
            Exception? miscount;
            try
            {
                count = CheckedCount(queue.TryDequeue(_held.Events, out marker), out miscount);
                if (count == 0 && marker is null && miscount is null)
                {
                    _chase.FoundEmpty();
                    if (_endWhenEmptyRun == _run) return ListenerLoopEnd.FoundEmpty;

                    // Before the wait: a pending flush at a level, and held events that have aged.
                    _levelAware?.Idle();

                    // Only a wait that returns ends a run of failures: an empty dequeue between two failed waits
                    // (a queue over a lost connection) is no sign that the queue works again.
                    queue.WaitToDequeue(IdleCheckInterval);
                    _faults.Succeeded();
                    continue;
                }

                if (miscount is null) _faults.Succeeded();
            }
            catch (ThreadInterruptedException)
            {
                // The thread is ours; an interrupt that reaches it (from a sink, say) only cuts a wait short.
                continue;
            }
            catch (Exception ex)
            {
                if (_faults.WaitToRetry(ex)) continue;
                return ListenerLoopEnd.QueueFailed;
            }

            // A queue hands over events or a marker; one that hands over both (against its contract) gets the
            // events written first.
            if (count > 0)
            {
                if (!HandleBatch(count, context)) return ListenerLoopEnd.Abandoned;
                BatchAcknowledgement.Send(queue as IAcknowledgingLogEventQueue, _sinks, _failures);
                _chase.AfterBatch(count);
            }

            if (marker is not null && ReachMarker(marker, context) is { } end) return end;

            // A count out of range is a broken queue, as much as an exception is: after the events it did hand over,
            // it backs off and, if the queue keeps at it, stops, rather than call it again at once (a count of -1
            // costs the queue nothing, so the listener would spin on it and report every call).
            if (miscount is not null && !_faults.WaitToRetry(miscount, "returned a count out of range from TryDequeue")) return ListenerLoopEnd.QueueFailed;
        }

        return ListenerLoopEnd.Abandoned;
    }

    /// <summary>A count the batch cannot hold (a user's queue with a bug) is a fault of the queue, returned in
    /// <paramref name="miscount"/> for the backoff to report; the events the batch does hold are handled.</summary>
    int CheckedCount(int count, out Exception? miscount)
    {
        var events = _held.Events;
        miscount = null;
        if (count >= 0 && count <= events.Length) return count;

        // Cells the listener has handled are cleared, so those still set hold what the queue just handed over.
        var held = 0;
        while (held < events.Length && events[held] is not null) held++;
        miscount = new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
            "TryDequeue returned {0} for a batch of {1}; the listener handles the {2} events the batch holds.",
            count, events.Length, held));
        return held;
    }

    /// <returns><see langword="false"/> when the listener was abandoned and must end.</returns>
    bool HandleBatch(int count, ListenerThreadContext context)
    {
        if (!_held.TryBegin(count, out var takenByAbandoner))
        {
            // The shutdown that abandoned the listener reports the batch itself when it saw it begun.
            if (takenByAbandoner) return false;

            var taken = _held.Events.Take(count).ToList();
            Array.Clear(_held.Events, 0, count);
            UnwrittenEvents.Report(_failures, _parts.Queue, "the listener was abandoned at shutdown", "events it had just taken", taken);
            return false;
        }

        // Once a batch rather than once an event: a collector that starts listening in the middle of a batch is
        // served from the next one.
        var recordLatency = QueueMetrics.Latency.Enabled;
        for (var i = 0; i < count; i++)
        {
            // Unclaimed, the event and the rest of the batch belong to the shutdown that abandoned the listener.
            if (!_held.TryClaim(i, count, out var logEvent)) return false;
            if (logEvent is null)
            {
                // A user's queue counted a cell it did not fill.
                _failures.Report(LoggingFailureKind.Permanent, string.Format(CultureInfo.InvariantCulture,
                    "the queue {0} returned a batch with no event at index {1}; the listener skips it", _parts.Queue.GetType(), i), null);
                _held.Handled();
                continue;
            }

            context.Handling = logEvent;
            try
            {
                if (_writesOnly) _sinks.Emit(logEvent);
                else _parts.Handle(logEvent);
            }
            catch (Exception ex)
            {
                _sinks.CountFailure();
                _failures.Report(LoggingFailureKind.Permanent, "failed handling an event", [logEvent], ex);
            }

            _held.Handled();
            Volatile.Write(ref _handledCount, _handledCount + 1);
            if (recordLatency) _latency.Record(logEvent, _runState, _failures);
        }

        context.Handling = null;
        return true;
    }

    /// <returns>Why the loop must end, when it must: at a sentinel of this run, or abandoned while handling the
    /// event the marker carried; otherwise <see langword="null"/>.</returns>
    ListenerLoopEnd? ReachMarker(QueueMarker marker, ListenerThreadContext context)
    {
        switch (marker.Kind)
        {
            case QueueMarkerKind.Event:
                // A batch of one, so that a shutdown that abandons the listener in the middle accounts for it too.
                _held.Events[0] = marker.Event!;
                var handled = HandleBatch(1, context);
                marker.Complete(handled);
                return handled ? null : ListenerLoopEnd.Abandoned;
            case QueueMarkerKind.Flush:
                marker.Complete(_sinks.Flush());
                return null;
            case QueueMarkerKind.Sentinel:
                // A sentinel of an earlier run that ended before reaching it (its queue failed) stops nothing now.
                if (marker.Run != _run)
                {
                    marker.Complete(true);
                    return null;
                }

                // A stop leaves the sinks flushed, so that a flush of the stopped listener's empty queue can say
                // everything was written and flushed without waiting for a listener that is not there. The final
                // sentinel needs none: disposing the sinks flushes them.
                if (!marker.Final) _sinks.Flush();
                marker.Complete(true);
                return marker.Final ? ListenerLoopEnd.FinalSentinel : ListenerLoopEnd.StopSentinel;
            default:
                marker.Complete(true);
                return null;
        }
    }
}
