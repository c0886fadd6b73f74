using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// The listener thread's body around the loop of ListenerLoop.cs: each run's beginning and end (decided by
// ListenerRunState), the requests that end the thread early (a shutdown that abandons it, a stop that could send no
// sentinel), and the end of the final run, which reclaims what arrived too late and disposes the sinks. Why the
// class is partial is said in ListenerLoop.cs.
sealed partial class ListenerLoop
{
    /// <summary>Set when the listener must end without reaching a sentinel: it was abandoned, or no sentinel could
    /// be sent. Wakes a backoff early.</summary>
    readonly ManualResetEventSlim _endRequested = new(false);

    /// <summary>Set by the listener thread of the final run once it takes nothing more off the queue, before it
    /// reclaims what is left; read by producers racing disposal (see <see cref="QueueSink.Emit"/>).</summary>
    volatile bool _consumingEnded;

    /// <summary>Why the shutdown that abandoned the listener gave up, for the report of what the thread's own final
    /// reclaim finds; written before the abandonment, which publishes it.</summary>
    volatile string? _abandonReason;

    /// <summary>Whether the listener thread will take nothing more off the queue: a shutdown abandoned it, or its
    /// final run has ended consuming.</summary>
    public bool HasStoppedConsuming => _consumingEnded || _held.IsAbandoned;

    /// <summary>Whether a shutdown has abandoned the listener thread.</summary>
    public bool IsAbandoned => _held.IsAbandoned;

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
            // Counted by the thread that started this one (see ListenerThreadStart).
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

    void RequestEnd()
    {
        _endRequested.Set();
        _parts.BuiltInQueue?.WakeListener();
    }
}
