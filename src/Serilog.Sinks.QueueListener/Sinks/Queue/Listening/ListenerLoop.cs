using System.Diagnostics;
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

    /// <summary>A batch smaller than this, taken right after another, means the listener is chasing the
    /// producers; see <see cref="LetProducersGetAhead"/>.</summary>
    const int ChasingBatch = 64;

    /// <summary>How many small batches in a row, with no empty look between them, make a chase.</summary>
    const int ChasingBatches = 4;

    /// <summary>How long the listener lets the producers get ahead: 50 µs, a couple of thousand events at full
    /// speed (20 µs gained less in the same runs).</summary>
    static readonly long ChasePauseTicks = Stopwatch.Frequency / 20_000;

    /// <summary>Small batches taken in a row; on the listener thread.</summary>
    int _chasing;

    readonly ListenerParts _parts;
    readonly ListenerFailures _failures;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;

    /// <summary>The batch the listener thread holds; see <see cref="HeldBatch"/>.</summary>
    readonly HeldBatch _held = new(BatchSize);

    /// <summary>Set when the listener must end without reaching a sentinel: it was abandoned, or no sentinel could
    /// be sent. Wakes a backoff early.</summary>
    readonly ManualResetEventSlim _endRequested = new(false);

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

    /// <summary>Set by the listener thread of the final run once it takes nothing more off the queue, before it
    /// reclaims what is left; read by producers racing disposal (see <see cref="QueueSink.Emit"/>).</summary>
    volatile bool _consumingEnded;

    /// <summary>Why the shutdown that abandoned the listener gave up, for the report of what the thread's own final
    /// reclaim finds; written before the abandonment, which publishes it.</summary>
    volatile string? _abandonReason;

    /// <summary>Whether a failure of the latency histogram's collector has been reported; listener thread only.</summary>
    bool _latencyFailureReported;

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

    /// <summary>Whether the listener thread will take nothing more off the queue: a shutdown abandoned it, or its
    /// final run has ended consuming.</summary>
    public bool HasStoppedConsuming => _consumingEnded || _held.IsAbandoned;

    /// <summary>Whether a shutdown has abandoned the listener thread.</summary>
    public bool IsAbandoned => _held.IsAbandoned;

    /// <summary>The number of events handled; see <see cref="_handledCount"/>.</summary>
    public long HandledCount => Volatile.Read(ref _handledCount);

    /// <summary>
    /// Make the listener thread end at once, taking the events it holds but has not begun to write.
    /// </summary>
    /// <param name="reason">Why, for the report of what the thread finds still queued as it ends.</param>
    /// <param name="inFlight">The event the thread is writing now, if any.</param>
    /// <returns>The events the listener thread will never write, for the caller to report.</returns>
    public List<LogEvent> Abandon(string reason, out LogEvent? inFlight)
    {
        _abandonReason = reason;
        var rest = _held.Abandon(out inFlight);
        RequestEnd();
        return rest;
    }

    /// <summary>Make the listener thread end run <paramref name="run"/> once it finds the queue empty: the stop
    /// for which no sentinel could be sent.</summary>
    public void EndWhenEmpty(int run)
    {
        _endWhenEmptyRun = run;
        RequestEnd();
    }

    /// <summary>The listener thread's body; <paramref name="state"/> is the run's completion and number.</summary>
    public void Run(object? state)
    {
        var (exited, run) = ((TaskCompletionSource<bool>, int))state!;
        _run = run;
        _writesOnly = _parts.HandlesByWritingOnly();
        _levelAware = _parts.LevelAware();

        // Only shortens a backoff; a request that reached the previous run must not cut this run's short.
        if (!_held.IsAbandoned) _endRequested.Reset();

        var context = ListenerThreadContext.Enter();
        try
        {
            while (true)
            {
                var end = RunLoopSafely(context);
                var outcome = _runState.TryEndRun(atStopSentinel: end == ListenerLoopEnd.StopSentinel);
                if (outcome == ListenerRunEnd.KeepDraining) continue;
                if (outcome == ListenerRunEnd.Final) EndFinalRun();
                return;
            }
        }
        finally
        {
            // Counted by the thread that started this one (see ListenerRunState).
            _parts.BuiltInQueue?.ListenerRunning(false);
            context.Handling = null;
            ListenerThreadContext.Leave();
            CompleteExited(exited);
        }
    }

    /// <summary>
    /// Complete the run's completion as the thread ends. Completing a task waits for the lock of its continuations
    /// while another thread adds or removes one (a flush waiting on it), and an interrupt can land in that wait: it
    /// must not escape the thread, which would take the process down. The task is complete by then; its waiters'
    /// wake-ups may be lost, and each then waits out its own timeout.
    /// </summary>
    static void CompleteExited(TaskCompletionSource<bool> exited)
    {
        try
        {
            exited.TrySetResult(true);
        }
        catch (ThreadInterruptedException)
        {
            // The interrupt was meant for the listener thread, which is ending: nothing left to cut short.
        }
    }

    ListenerLoopEnd RunLoopSafely(ListenerThreadContext context)
    {
        try
        {
            return RunLoop(context);
        }
        catch (Exception ex)
        {
            // Nothing in the loop should throw; a thread must not end the process over it.
            _failures.Report(LoggingFailureKind.Final, "the listener thread failed", null, ex);
            return ListenerLoopEnd.QueueFailed;
        }
        finally
        {
            context.Handling = null;
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
            // Abandoned, the thread may get here before the shutdown's own reclaim: the events it finds were left
            // behind by the drain that ran out, not by producers racing disposal.
            _parts.Reclaimer.Reclaim(_abandonReason ?? "the listener was disposed while the event was being enqueued");
            _parts.BuiltInQueue?.ReportPendingDrops();
            _levelAware?.Close(abandoned: _held.IsAbandoned);
            _sinks.Dispose();
        }
        catch (Exception ex)
        {
            _failures.Report(LoggingFailureKind.Final, "the listener thread failed while ending", null, ex);
        }
        finally
        {
            _runState.EndFinalRun();
        }
    }

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
                    _chasing = 0;
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
                Acknowledge(queue as IAcknowledgingLogEventQueue);
                if (count >= ChasingBatch) _chasing = 0;
                else if (++_chasing == ChasingBatches) LetProducersGetAhead();
            }

            if (marker is not null && ReachMarker(marker, context) is { } end) return end;

            // A count out of range is a broken queue, as much as an exception is: after the events it did hand over,
            // it backs off and, if the queue keeps at it, stops, rather than call it again at once (a count of -1
            // costs the queue nothing, so the listener would spin on it and report every call).
            if (miscount is not null && !_faults.WaitToRetry(miscount, "returned a count out of range from TryDequeue")) return ListenerLoopEnd.QueueFailed;
        }

        return ListenerLoopEnd.Abandoned;
    }

    /// <summary>
    /// Pause while the producers get ahead: the listener has taken <see cref="ChasingBatches"/> small batches in a
    /// row without once finding the queue empty, so it is reading slots the producers are writing at that moment.
    /// </summary>
    /// <remarks>Each such slot's cache line then crosses between the two cores twice; where that is slow, both
    /// threads spend more time on those transfers than on the events (about twice the CPU per event, measured on a
    /// 2-core VM). After the pause the listener takes a full batch of lines the producers are done with. It only
    /// happens while events stream in faster than the listener's loop runs: at any rate where the listener finds
    /// the queue empty between events, <see cref="_chasing"/> never reaches the count, and nothing changes.</remarks>
    static void LetProducersGetAhead()
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() - started < ChasePauseTicks)
        {
            Thread.SpinWait(1);
        }
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
            if (recordLatency) RecordLatency(logEvent);
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

    /// <summary>Tell a queue that wants to know that the batch it handed over has been written.</summary>
    void Acknowledge(IAcknowledgingLogEventQueue? queue)
    {
        if (queue is null) return;

        // An event a sink only holds in memory (a batch on its way to Redis) is not written yet: acknowledged, the queue
        // would not have it for the next start should the process die now. Handed back at a shutdown that gave up,
        // the batch stays unacknowledged in the queue.
        if (!_sinks.WaitUntilHeldWritten()) return;

        try
        {
            queue.Acknowledge();
        }
        catch (Exception ex)
        {
            _failures.Report(LoggingFailureKind.Temporary,
                $"the queue {queue.GetType()} failed to take the acknowledgement of a batch", null, ex);
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
            _failures.Report(LoggingFailureKind.Temporary,
                "a metrics collector threw while recording serilog.queue.latency; later failures are not reported", null, ex);
        }
    }

    void RequestEnd()
    {
        _endRequested.Set();
        _parts.BuiltInQueue?.WakeListener();
    }
}
