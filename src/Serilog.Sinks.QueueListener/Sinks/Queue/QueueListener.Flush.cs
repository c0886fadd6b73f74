namespace Serilog.Sinks.Queue;

// The flush of a QueueListener: a marker through the queue behind the events, or, when no listener thread runs,
// an answer from the queue itself. Why the class is partial is said in QueueListener.cs.
public partial class QueueListener
{
    /// <summary>
    /// Wait until every event enqueued before this call has been written to every sink, and the sinks that can be
    /// flushed have been, or the timeout passes.
    /// </summary>
    /// <remarks>
    /// A flush marker goes through the queue behind the events; when the listener reaches it, it calls
    /// <c>FlushToDisk()</c> on each sink that has one (Serilog.Sinks.File's sinks do), also inside Serilog's own
    /// wrappers, then completes the flush. A flush that times out leaves its marker behind: the sinks are still
    /// flushed when the listener gets there. Flushes coalesce: while one marker is on its way, later flushes share the
    /// next, so the queue never holds more than one, however often a flush is polled. In
    /// <see cref="QueueFullMode.DropOldest"/> mode, events enqueued before the call may still be evicted while the
    /// marker waits: they are counted and reported as dropped, not written, and do not make the flush fail.
    /// </remarks>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when everything enqueued before the call, and not dropped since, has been
    /// written and flushed;
    /// <see langword="false"/> when the timeout passed first, a sink failed to flush (the failure is reported), a
    /// sink holds events a flush cannot reach (Serilog's batching sink; reported once), and at once when the listener
    /// is stopping or disposed, or the call was made on the listener thread itself, from a sink, where waiting would
    /// deadlock. When the listener is not running (never started, or stopped, which flushes the sinks), at once:
    /// <see langword="true"/> when the queue is empty, as Python's <c>queue.join()</c> after <c>stop()</c>;
    /// <see langword="false"/>, reported with the number of events, when it holds events.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    public bool Flush(TimeSpan timeout) => SynchronousDoor.Result(FlushCore(timeout, synchronously: true, CancellationToken.None));

    /// <summary>A flush that no running listener thread will reach: see <see cref="IdleQueueFlush"/>. A listener that
    /// is stopping, disposed, or flushed from its own thread answers <see langword="false"/>, as before.</summary>
    bool FlushWhileNotRunning() => State switch
    {
        QueueListenerState.NotStarted => IdleQueueFlush.Answer(_queue, "the listener was never started", this, _failureListener),
        QueueListenerState.Stopped => IdleQueueFlush.Answer(_queue, "the listener is stopped", this, _failureListener),
        _ => false,
    };

    /// <summary>
    /// As <see cref="Flush"/>, without blocking a thread while the listener gets there.
    /// </summary>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the flush still happens when the listener gets there.</param>
    /// <returns>As <see cref="Flush"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled before the
    /// flush completes.</exception>
    public Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        FlushCore(timeout, synchronously: false, cancellationToken).AsTask();

    /// <summary>The one body of <see cref="Flush"/> and <see cref="FlushAsync"/>: <paramref name="synchronously"/>
    /// only chooses how to wait for the marker.</summary>
    ValueTask<bool> FlushCore(TimeSpan timeout, bool synchronously, CancellationToken cancellationToken)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        if (!_runState.CanFlush(out var exited)) return new ValueTask<bool>(FlushWhileNotRunning());

        return synchronously
            ? new ValueTask<bool>(MarkerWaiting.Wait(_flushes.Request(), exited, timeout))
            : new ValueTask<bool>(MarkerWaiting.WaitAsync(_flushes.Request(), exited, timeout, cancellationToken));
    }
}
