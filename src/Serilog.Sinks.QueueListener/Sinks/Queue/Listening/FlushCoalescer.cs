using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Keeps at most one flush marker in a queue: a flush asked for while one is on its way joins the next, which is
/// sent when that one is reached. The next marker covers every flush that joined it, because it is sent after all of
/// them were asked for; so however often an application polls a flush against a stuck sink, the queue holds one
/// marker and the waiters share one completion.
/// </summary>
sealed class FlushCoalescer
{
    readonly ILogEventQueue _queue;
    readonly object _sender;
    readonly Func<ILoggingFailureListener> _failureListener;

    /// <summary>Guards <see cref="_inFlight"/> and <see cref="_next"/>. Never held while the queue is called.</summary>
    readonly object _sync = new();

    /// <summary>The flush whose marker is in the queue, or <see langword="null"/>.</summary>
    TaskCompletionSource<bool>? _inFlight;

    /// <summary>The flush that waits for <see cref="_inFlight"/> to be reached before its marker is sent, or
    /// <see langword="null"/>.</summary>
    TaskCompletionSource<bool>? _next;

    /// <param name="queue">The queue to send flush markers through.</param>
    /// <param name="sender">Reported as the sender of a failure to send a marker.</param>
    /// <param name="failureListener">Where such a failure is reported.</param>
    public FlushCoalescer(ILogEventQueue queue, object sender, Func<ILoggingFailureListener> failureListener)
    {
        _queue = queue;
        _sender = sender;
        _failureListener = failureListener;
    }

    /// <summary>
    /// Ask for a flush of everything enqueued before this call.
    /// </summary>
    /// <returns>Completes with <see langword="true"/> once the listener has reached a marker sent after this call
    /// and flushed the sinks; <see langword="false"/> when that marker was discarded or a sink failed to
    /// flush.</returns>
    public Task<bool> Request()
    {
        TaskCompletionSource<bool> flush;
        lock (_sync)
        {
            if (_inFlight is not null) return (_next ??= NewCompletion()).Task;
            flush = _inFlight = NewCompletion();
        }

        Send(flush);
        return flush.Task;
    }

    void Send(TaskCompletionSource<bool> flush)
    {
        var marker = new QueueMarker(QueueMarkerKind.Flush, reached => Reached(flush, reached));
        try
        {
            _queue.EnqueueMarker(marker);
        }
        catch (Exception ex)
        {
            _failureListener().Report(_sender, LoggingFailureKind.Temporary, "failed sending a flush marker", null, ex);
            marker.Complete(false);
        }
    }

    /// <summary>Called on the thread that completes a marker, the listener thread as a rule, before it goes
    /// on.</summary>
    /// <remarks>Not cut short by an interrupt (see <see cref="InterruptDeferral"/>): the listener thread waits here
    /// for the lock while a flush is asked for, and an interrupt that ended this half-way would leave the next flush
    /// unsent, and every later flush joining it and waiting in vain; thrown out of the listener's loop, it would stop
    /// the listener as well. The next marker is sent before the flush is completed, because completing a task can
    /// still be interrupted (it waits for the lock of the task's continuations while a waiter adds one); then the
    /// task is complete, but its waiters may miss the wake-up and wait out their timeouts.</remarks>
    void Reached(TaskCompletionSource<bool> flush, bool reached)
    {
        TaskCompletionSource<bool>? next;
        var interrupted = InterruptDeferral.Enter(_sync);
        try
        {
            next = _next;
            _next = null;
            _inFlight = next;
        }
        finally
        {
            Monitor.Exit(_sync);
        }

        try
        {
            if (next is not null) Send(next);
            flush.TrySetResult(reached);
        }
        catch (ThreadInterruptedException)
        {
            interrupted = true;
        }
        finally
        {
            InterruptDeferral.Restore(interrupted);
        }
    }

    static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
