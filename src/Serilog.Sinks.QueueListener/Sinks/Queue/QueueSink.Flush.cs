namespace Serilog.Sinks.Queue;

// The flush of a QueueSink: through its own listener, or, when someone else runs the listener, by a marker of its
// own through the queue. Why the class is partial is said in QueueSink.cs.
public sealed partial class QueueSink
{
    /// <summary>
    /// Wait until every event enqueued before this call has been written to every sink, and the sinks that can be
    /// flushed have been, or the timeout passes. See <see cref="QueueListener.Flush"/>.
    /// </summary>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when everything enqueued before the call, and not dropped since, has been
    /// written and flushed; <see langword="false"/> when the timeout passed first, the sink has been disposed, at
    /// once when a sink that does not own its listener is flushed from a listener thread (it could be waiting for
    /// itself), or as <see cref="QueueListener.Flush"/> says.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    public bool Flush(TimeSpan timeout) => SynchronousDoor.Result(FlushCore(timeout, synchronously: true, CancellationToken.None));

    /// <summary>
    /// Whether this sink, which does not own its listener, is flushed from a listener thread: that may be the
    /// thread that would reach the marker, waiting for itself.
    /// </summary>
    bool IsOnListenerThreadOfOthers => _listener is null && ListenerThreadContext.Current is not null;

    /// <summary>
    /// Whether no listener thread reads the built-in queue of a sink that does not own its listener, so that a flush
    /// marker would wait for nobody. A user's queue cannot say: its flush waits for the marker.
    /// </summary>
    bool IsReadByNobody => _builtIn is { HasRunningListener: false };

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
    /// only chooses how to wait.</summary>
    ValueTask<bool> FlushCore(TimeSpan timeout, bool synchronously, CancellationToken cancellationToken)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        if (Volatile.Read(ref _disposed) != 0 || IsOnListenerThreadOfOthers) return new ValueTask<bool>(false);
        if (_listener is not null)
        {
            return synchronously
                ? new ValueTask<bool>(_listener.Flush(timeout))
                : new ValueTask<bool>(_listener.FlushAsync(timeout, cancellationToken));
        }

        if (IsReadByNobody)
        {
            return new ValueTask<bool>(IdleQueueFlush.Answer(_queue, "no listener is running over the queue", this, _failureListener));
        }

        // Someone else runs the listener: all that can be watched is the marker itself.
        return synchronously
            ? new ValueTask<bool>(MarkerWaiting.Wait(_flushes.Request(), null, timeout))
            : new ValueTask<bool>(MarkerWaiting.WaitAsync(_flushes.Request(), null, timeout, cancellationToken));
    }
}
