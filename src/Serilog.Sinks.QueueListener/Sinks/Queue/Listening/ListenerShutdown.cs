using System.Diagnostics;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Stops a <see cref="QueueListener"/>: sends the sentinel and waits for the drain; and at disposal, bounds the drain
/// and the disposal of the sinks with one timeout, giving up on a listener thread that does not finish in time.
/// Never throws on the disposal path: whatever a user's queue or override does is reported instead.
/// </summary>
sealed class ListenerShutdown
{
    /// <summary>How long a shutdown that gave up waits for the listener thread to end, so that a thread that was only
    /// behind (a short timeout, a long backlog) still disposes the sinks before disposal returns.</summary>
    static readonly TimeSpan AbandonedExitGrace = TimeSpan.FromMilliseconds(100);

    readonly ListenerParts _parts;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;
    readonly ListenerLoop _loop;
    readonly ListenerFailures _failures;

    /// <summary>Reads the listener's name, which a restart may have changed.</summary>
    readonly Func<string> _name;

    /// <param name="parts">The listener's parts this one uses.</param>
    /// <param name="loop">The listener thread's body.</param>
    /// <param name="name">Reads the listener's name.</param>
    public ListenerShutdown(ListenerParts parts, ListenerLoop loop, Func<string> name)
    {
        _parts = parts;
        _sinks = parts.Sinks;
        _runState = parts.RunState;
        _loop = loop;
        _failures = parts.Failures;
        _name = name;
    }

    /// <inheritdoc cref="QueueListener.Stop(TimeSpan)"/>
    public bool Stop(TimeSpan timeout)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        var thread = _runState.BeginStop(out var sendSentinel, out var run);
        if (thread is null) return true;
        if (sendSentinel) SendSentinel(run);
        if (thread == Thread.CurrentThread) return false;
        return Join(thread, timeout);
    }

    /// <summary>
    /// Dispose the listener within <paramref name="timeout"/>: the final run's thread drains the queue up to the
    /// sentinel and disposes the sinks, and this waits for it. When it does not end in time, the thread is abandoned:
    /// the events it holds but has not begun to write, and those still queued, are reported with the events; then
    /// the thread gets <see cref="AbandonedExitGrace"/> to end (one that was only behind does, and disposes the
    /// sinks); one still in a sink after that disposes the sinks itself if the sink ever returns, and what it was
    /// writing is reported as possibly not written.
    /// </summary>
    /// <returns><see langword="true"/> when everything was drained and the sinks disposed in time.</returns>
    public bool Shutdown(TimeSpan timeout) => SynchronousDoor.Result(ShutdownCore(timeout, synchronously: true));

    /// <inheritdoc cref="Shutdown"/>
    public Task<bool> ShutdownAsync(TimeSpan timeout) => ShutdownCore(timeout, synchronously: false).AsTask();

    /// <summary>
    /// The one body of <see cref="Shutdown"/> and <see cref="ShutdownAsync"/>: <paramref name="synchronously"/> only
    /// chooses how to wait for the thread (a join, or its completion), so the synchronous door never awaits anything
    /// that is not already complete.
    /// </summary>
    async ValueTask<bool> ShutdownCore(TimeSpan timeout, bool synchronously)
    {
        if (!_runState.BeginDispose(_name(), _loop.Run, out var thread, out var run)) return true;
        if (thread is null) return true;

        SendSentinel(run);
        if (thread == Thread.CurrentThread) return false;

        var exited = _runState.Exited;
        if (await EndsWithin(thread, exited, timeout, synchronously).ConfigureAwait(false)) return true;

        var handled = GiveUp(timeout, out var inFlight);
        if (!await EndsWithin(thread, exited, AbandonedExitGrace, synchronously).ConfigureAwait(false))
        {
            ReportStillRunning(timeout, inFlight, handled);
        }

        return false;
    }

    /// <summary>Wait for the listener thread to end: a join on the calling thread, or, asynchronously, its run's
    /// completion.</summary>
    static ValueTask<bool> EndsWithin(Thread thread, Task exited, TimeSpan timeout, bool synchronously) =>
        synchronously ? new ValueTask<bool>(Join(thread, timeout)) : new ValueTask<bool>(CompletesWithin(exited, timeout));

    /// <summary>
    /// Abandon the listener thread and report what it will not write: the rest of its batch, what the sinks that hold
    /// events hand back (see <see cref="IHoldingSink"/>), and what is still queued.
    /// </summary>
    /// <param name="timeout">The shutdown timeout, for the messages.</param>
    /// <param name="inFlight">The event the listener thread was writing, unless a holding sink handed it back (and
    /// it was reported with what that sink held).</param>
    /// <returns>The listener's handled count at the time, to tell later whether it finished the event in
    /// flight.</returns>
    long GiveUp(TimeSpan timeout, out LogEvent? inFlight)
    {
        var reason = string.Format(CultureInfo.InvariantCulture, "the listener did not drain the queue within {0}", timeout);
        var rest = _loop.Abandon(reason, out inFlight);

        // Read after the abandonment, when the listener can claim nothing more: the count moves only if it finishes
        // the event in flight.
        var handled = _loop.HandledCount;
        UnwrittenEvents.Report(_failures, _parts.Queue, reason, "events the listener thread had taken but not begun to write", rest);

        // Before the grace below: a sink that holds events because its destination is away is most likely the one the
        // listener thread is stuck in, and would report them only from its own disposal, which may never run.
        if (_sinks.ReleaseHeld(_parts.Queue, reason, inFlight)) inFlight = null;

        _parts.Reclaimer.Reclaim(reason);
        return handled;
    }

    void ReportStillRunning(TimeSpan timeout, LogEvent? inFlight, long handledBefore)
    {
        if (inFlight is not null && _loop.HandledCount == handledBefore)
        {
            var message = string.Format(CultureInfo.InvariantCulture,
                "the listener thread was still writing this event to its sinks {0} after the shutdown began; it may or may not be written",
                timeout + AbandonedExitGrace);

            // Its batch is not acknowledged unless the thread finishes it, so a queue that keeps what it handed out has
            // it still: reported as kept there, without the event (a fallback sink would write it a second time).
            if (_parts.Queue is IRetainingQueue retaining)
            {
                _failures.Report(LoggingFailureKind.Temporary, $"{message}, and it is not acknowledged unless it is: {retaining.WhereUnwrittenEventsStay}", null);
            }
            else
            {
                _failures.Report(LoggingFailureKind.Final, message, [inFlight]);
            }
        }

        var where = _sinks.Disposing is { } sink
            ? $"the sink {sink} has not returned from Dispose"
            : "the listener thread has not returned from a sink";
        _failures.Report(LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
            "the sinks were not all disposed within the shutdown timeout: {0}; the listener thread disposes the rest if it returns",
            where), null);
    }

    /// <summary>
    /// Send the sentinel of <paramref name="run"/> (disposal's final one when disposal calls). When neither the
    /// listener's <see cref="QueueListener.EnqueueSentinel"/> nor the queue can take one, the failure is reported and
    /// the listener is told to end once the queue is empty.
    /// </summary>
    void SendSentinel(int run)
    {
        try
        {
            _parts.SendSentinel();
            return;
        }
        catch (Exception ex)
        {
            _failures.Report(LoggingFailureKind.Permanent,
                "failed sending the stop sentinel; sending a plain one through the queue instead", null, ex);
        }

        try
        {
            _parts.Queue.EnqueueMarker(_runState.NewSentinel());
        }
        catch (Exception ex)
        {
            _failures.Report(LoggingFailureKind.Permanent,
                "failed sending the stop sentinel through the queue; the listener stops once it finds the queue empty", null, ex);
            _loop.EndWhenEmpty(run);
        }
    }

    /// <summary>
    /// <see cref="Thread.Join(TimeSpan)"/>, not cut short by an interrupt of the stopping thread: the interrupt is
    /// held back and raised again on return.
    /// </summary>
    static bool Join(Thread thread, TimeSpan timeout)
    {
        var interrupted = false;
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                try
                {
                    return thread.Join(Remaining(timeout, started));
                }
                catch (ThreadInterruptedException)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            InterruptDeferral.Restore(interrupted);
        }
    }

    static TimeSpan Remaining(TimeSpan timeout, long started)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return timeout;

        var elapsed = TimeSpan.FromTicks((Stopwatch.GetTimestamp() - started) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        return elapsed >= timeout ? TimeSpan.Zero : timeout - elapsed;
    }

    static async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await task.ConfigureAwait(false);
            return true;
        }

        using var delayCancellation = new CancellationTokenSource();
        var first = await Task.WhenAny(task, Task.Delay(timeout, delayCancellation.Token)).ConfigureAwait(false);
        delayCancellation.Cancel();
        return first == task;
    }
}
