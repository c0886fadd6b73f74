using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Stops a <see cref="QueueListener"/>: sends the sentinel and waits for the drain, and at disposal gives up on a
/// drain that does not finish in time, abandoning the listener thread; see <see cref="Shutdown"/>.
/// </summary>
sealed class ListenerShutdown
{
    /// <summary>How long a shutdown that abandoned the listener thread waits for it to end, so that it can dispose
    /// the sinks itself; see <see cref="Shutdown"/>.</summary>
    static readonly TimeSpan AbandonedExitGrace = TimeSpan.FromMilliseconds(100);

    readonly QueueListener _owner;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;
    readonly ListenerLoop _loop;

    public ListenerShutdown(QueueListener owner, ListenerSinks sinks, ListenerRunState runState, ListenerLoop loop)
    {
        _owner = owner;
        _sinks = sinks;
        _runState = runState;
        _loop = loop;
    }

    /// <inheritdoc cref="QueueListener.Stop(TimeSpan)"/>
    public bool Stop(TimeSpan timeout)
    {
        var thread = BeginStop(timeout);
        if (thread is null) return true;
        if (thread == Thread.CurrentThread) return false;
        return thread.Join(timeout);
    }

    /// <summary>
    /// Stop within <paramref name="timeout"/>, then dispose the sinks. When the drain does not finish in time, the
    /// listener thread is abandoned: it reports what it still holds instead of handling it, and what is left in the
    /// queue is reclaimed and reported here. A thread that was merely behind (a short timeout, a long backlog) sees
    /// that before its next event and ends at once, so the shutdown gives it <see cref="AbandonedExitGrace"/> and then
    /// disposes the sinks itself, flushed before this returns, as after a drain. A thread still stuck in a sink after
    /// that disposes the sinks itself once the sink returns: disposing them here could wait forever on a lock that
    /// sink holds.
    /// </summary>
    /// <returns><see langword="true"/> when everything was drained in time.</returns>
    public bool Shutdown(TimeSpan timeout)
    {
        if (!_runState.TryMarkDisposed()) return true;

        var drained = Stop(timeout);
        if (!drained)
        {
            Abandon(timeout);
            Stop(AbandonedExitGrace);
        }

        QueueMetrics.Unregister(_owner);
        if (drained || !_runState.LeaveSinkDisposalToListenerThread()) _sinks.Dispose();
        return drained;
    }

    /// <inheritdoc cref="Shutdown"/>
    public async Task<bool> ShutdownAsync(TimeSpan timeout)
    {
        if (!_runState.TryMarkDisposed()) return true;

        var drained = await StopAsync(timeout).ConfigureAwait(false);
        if (!drained)
        {
            Abandon(timeout);
            await StopAsync(AbandonedExitGrace).ConfigureAwait(false);
        }

        QueueMetrics.Unregister(_owner);
        if (drained || !_runState.LeaveSinkDisposalToListenerThread()) await _sinks.DisposeAsync().ConfigureAwait(false);
        return drained;
    }

    void Abandon(TimeSpan timeout)
    {
        _loop.Abandon();
        var onListenerThread = _runState.IsListenerThread;

        // Disposed from one of its own sinks, the listener gave up on the drain without waiting (the timeout may be
        // infinite), and it reports the rest of its batch itself as soon as that sink returns.
        var reason = onListenerThread
            ? "the listener was disposed from one of its own sinks"
            : $"the listener did not drain the queue within {timeout}";
        _owner.ReclaimLeftovers(reason);
        if (onListenerThread) return;

        var held = _loop.HeldCount;
        if (held > 0)
        {
            _owner.FailureListener.Report(_owner, LoggingFailureKind.Final,
                $"{reason}; {held} events taken by the listener thread, which is stuck in a sink, were not written " +
                "(the thread reports them with the events if the sink returns)", null);
        }
    }

    /// <summary>
    /// Send the sentinel if this run has none yet.
    /// </summary>
    /// <returns>The thread to wait for, or <see langword="null"/> when the listener is not running.</returns>
    Thread? BeginStop(TimeSpan timeout)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));

        var thread = _runState.BeginStop(out var sendSentinel);
        if (thread is null) return null;
        if (sendSentinel)
        {
            try
            {
                _owner.SendSentinel();
            }
            catch
            {
                _runState.CancelStop(thread);
                throw;
            }
        }

        return thread;
    }

    async Task<bool> StopAsync(TimeSpan timeout)
    {
        var thread = BeginStop(timeout);
        if (thread is null) return true;
        if (thread == Thread.CurrentThread) return false;

        var exited = _runState.Exited;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await exited.ConfigureAwait(false);
            return true;
        }

        using var delayCancellation = new CancellationTokenSource();
        var first = await Task.WhenAny(exited, Task.Delay(timeout, delayCancellation.Token)).ConfigureAwait(false);
        delayCancellation.Cancel();
        return first == exited;
    }
}
