using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What the listener thread of a <see cref="QueueListener"/> runs: take batches off the queue, hand each event to
/// the listener, flush at flush markers, end at the sentinel; and, in the run that ends the listener's life, reclaim
/// what arrived too late and dispose the sinks. Nothing a sink, a metrics collector or a user's queue does can end
/// the thread with an exception.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "The end signal is never disposed: an abandoned listener thread may still wait on it after disposal returns.")]
sealed class ListenerLoop
{
    /// <summary>How many events the listener claims from the queue at once.</summary>
    public const int BatchSize = 512;

    /// <summary>The longest the listener waits on the queue before it looks again whether it must end: the bound
    /// on how long an abandoned or stopped listener parked in a user's queue, which it cannot wake, lingers.</summary>
    static readonly TimeSpan IdleCheckInterval = TimeSpan.FromMilliseconds(100);

    readonly QueueListener _owner;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;

    /// <summary>The batch the listener thread holds; see <see cref="HeldBatch"/>.</summary>
    readonly HeldBatch _held = new(BatchSize);

    /// <summary>Set when the listener must end without reaching a sentinel: it was abandoned, or no sentinel could
    /// be sent. Wakes a backoff early.</summary>
    readonly ManualResetEventSlim _endRequested = new(false);

    readonly QueueFaultBackoff _faults;

    /// <summary>Set when the listener must end as soon as it finds the queue empty, because no sentinel could be
    /// sent. Volatile: written by the stopping thread, read by the listener thread.</summary>
    volatile bool _endWhenEmpty;

    /// <summary>Set by the listener thread of the final run once it takes nothing more off the queue, before it
    /// reclaims what is left; read by producers racing disposal (see <see cref="QueueSink.Emit"/>).</summary>
    volatile bool _consumingEnded;

    /// <summary>Whether a failure of the latency histogram's collector has been reported; listener thread only.</summary>
    bool _latencyFailureReported;

    /// <summary>
    /// The number of events handled. Written by the listener thread only, once per event, with a plain increment
    /// published by a volatile write (no interlocked operation is needed with a single writer); read by any thread
    /// with a volatile read, which is atomic for a long even on 32-bit platforms.
    /// </summary>
    long _handledCount;

    public ListenerLoop(QueueListener owner, ListenerSinks sinks, ListenerRunState runState)
    {
        _owner = owner;
        _sinks = sinks;
        _runState = runState;
        _faults = new QueueFaultBackoff(owner, _endRequested);
    }

    /// <summary>Whether the listener thread will take nothing more off the queue: a shutdown abandoned it, or its
    /// final run has ended consuming.</summary>
    public bool HasStoppedConsuming => _consumingEnded || _held.IsAbandoned;

    /// <summary>The number of events handled; see <see cref="_handledCount"/>.</summary>
    public long HandledCount => Volatile.Read(ref _handledCount);

    /// <summary>
    /// Make the listener thread end at once, taking the events it holds but has not begun to write.
    /// </summary>
    /// <param name="inFlight">The event the thread is writing now, if any.</param>
    /// <returns>The events the listener thread will never write.</returns>
    public List<LogEvent> Abandon(out LogEvent? inFlight)
    {
        var rest = _held.Abandon(out inFlight);
        RequestEnd();
        return rest;
    }

    /// <summary>Make the listener thread end once it finds the queue empty: the stop for which no sentinel could
    /// be sent.</summary>
    public void EndWhenEmpty()
    {
        _endWhenEmpty = true;
        RequestEnd();
    }

    /// <summary>The listener thread's body; <paramref name="state"/> is the completion of this run.</summary>
    public void Run(object? state)
    {
        var exited = (TaskCompletionSource<bool>)state!;
        var context = ListenerThreadContext.Enter();
        try
        {
            RunLoop(context);
        }
        catch (Exception ex)
        {
            // Nothing above should throw; a thread must not end the process over it.
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Final, "the listener thread failed", null, ex);
        }
        finally
        {
            context.Handling = null;

            // A request to end without a sentinel was for this run; the next run, after a Start, begins afresh. An
            // abandoned listener has no next run.
            if (!_held.IsAbandoned)
            {
                _endWhenEmpty = false;
                _endRequested.Reset();
            }

            if (!_runState.TryEndRun()) EndFinalRun();
            ListenerThreadContext.Leave();
            exited.TrySetResult(true);
        }
    }

    /// <summary>
    /// The end of the run that ends the listener's life: report what arrived behind the sentinel, and dispose the
    /// sinks here, on the thread that used them, so that a shutdown bounds their disposal as it bounds the drain.
    /// </summary>
    void EndFinalRun()
    {
        try
        {
            // Before the reclaim, with a full fence: a producer whose enqueue raced past the sentinel either sees
            // this and reclaims its event itself, or its reservation is seen by the reclaim.
            _consumingEnded = true;
            Interlocked.MemoryBarrier();
            _owner.ReclaimLeftovers("the listener was disposed while the event was being enqueued");
            (_owner.Queue as LogEventQueue)?.ReportPendingDrops();
            _sinks.Dispose();
        }
        catch (Exception ex)
        {
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Final, "the listener thread failed while ending", null, ex);
        }
        finally
        {
            _runState.EndFinalRun();
        }
    }

    void RunLoop(ListenerThreadContext context)
    {
        var queue = _owner.Queue;
        while (!_held.IsAbandoned)
        {
            int count;
            QueueMarker? marker;
            try
            {
                count = CheckedCount(queue.TryDequeue(_held.Events, out marker), queue);
                if (count == 0 && marker is null)
                {
                    _faults.Succeeded();
                    if (_endWhenEmpty) return;
                    queue.WaitToDequeue(IdleCheckInterval);
                    continue;
                }

                _faults.Succeeded();
            }
            catch (ThreadInterruptedException)
            {
                // The thread is ours; an interrupt that reaches it (from a sink, say) only cuts a wait short.
                continue;
            }
            catch (Exception ex)
            {
                if (_faults.WaitToRetry(ex)) continue;
                return;
            }

            if (count > 0)
            {
                if (!HandleBatch(count, context)) return;
            }
            else if (ReachMarker(marker!, context))
            {
                return;
            }
        }
    }

    /// <summary>A count the batch cannot hold (a user's queue with a bug) is reported; the events the batch does hold
    /// are handled.</summary>
    int CheckedCount(int count, ILogEventQueue queue)
    {
        var events = _held.Events;
        if (count >= 0 && count <= events.Length) return count;

        // Cells the listener has handled are cleared, so those still set hold what the queue just handed over.
        var held = 0;
        while (held < events.Length && events[held] is not null) held++;
        _owner.FailureListener.Report(_owner, LoggingFailureKind.Permanent, string.Format(CultureInfo.InvariantCulture,
            "the queue {0} returned {1} from TryDequeue for a batch of {2}; the listener handles the {3} events the batch holds",
            queue.GetType(), count, events.Length, held), null);
        return held;
    }

    /// <returns><see langword="false"/> when the listener was abandoned and must end.</returns>
    bool HandleBatch(int count, ListenerThreadContext context)
    {
        if (!_held.TryBegin(count))
        {
            var taken = _held.Events.Take(count).ToList();
            Array.Clear(_held.Events, 0, count);
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
                "the listener was abandoned at shutdown; {0} events it had just taken were not written", taken.Count), taken);
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            // Unclaimed, the event and the rest of the batch belong to the shutdown that abandoned the listener.
            if (_held.TryClaim(i, count) is not { } logEvent) return false;

            context.Handling = logEvent;
            try
            {
                _owner.HandleDequeued(logEvent);
            }
            catch (Exception ex)
            {
                _sinks.CountFailure();
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Permanent, "failed handling an event", [logEvent], ex);
            }

            _held.Handled();
            Volatile.Write(ref _handledCount, _handledCount + 1);
            if (QueueMetrics.Latency.Enabled) RecordLatency(logEvent);
        }

        context.Handling = null;
        return true;
    }

    /// <returns><see langword="true"/> when the marker is the sentinel and the listener must end.</returns>
    bool ReachMarker(QueueMarker marker, ListenerThreadContext context)
    {
        switch (marker.Kind)
        {
            case QueueMarkerKind.Event:
                // A batch of one, so that a shutdown that abandons the listener in the middle accounts for it too.
                _held.Events[0] = marker.Event!;
                var handled = HandleBatch(1, context);
                marker.Complete(handled);
                return !handled;
            case QueueMarkerKind.Flush:
                marker.Complete(_sinks.Flush());
                return false;
            default:
                marker.Complete(true);
                return marker.Kind == QueueMarkerKind.Sentinel;
        }
    }

    void RecordLatency(LogEvent logEvent)
    {
        try
        {
            QueueMetrics.RecordLatency(logEvent.Timestamp, _runState.NameTag);
        }
        catch (Exception ex)
        {
            if (_latencyFailureReported) return;
            _latencyFailureReported = true;
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Temporary,
                "a metrics collector threw while recording serilog.queue.latency; later failures are not reported", null, ex);
        }
    }

    void RequestEnd()
    {
        _endRequested.Set();
        (_owner.Queue as LogEventQueue)?.WakeListener();
    }
}
