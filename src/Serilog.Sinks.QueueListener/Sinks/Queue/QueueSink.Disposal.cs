using Serilog.Core;

namespace Serilog.Sinks.Queue;

// The disposal of a QueueSink: stop accepting events, shut its listener down, account for the events that raced
// it, dispose the queue it was handed; and the drain at process exit, which is a disposal. Why the class is partial
// is said in QueueSink.cs.
public sealed partial class QueueSink
{
    /// <summary>A queue the sink's maker handed over for disposal (a spool <c>WriteTo.Queue</c> opened), disposed
    /// once the listener is done; set during configuration.</summary>
    IDisposable? _ownedQueue;

    /// <summary>
    /// Stop accepting events; when the sink owns its listener, stop it (draining within the shutdown timeout) and
    /// dispose it and the wrapped sinks. A second call does nothing.
    /// </summary>
    public void Dispose() => TryDisposeWithin(_shutdownTimeout);

    /// <returns><see langword="false"/> when another call had already begun disposal.</returns>
    internal bool TryDisposeWithin(TimeSpan shutdownTimeout) =>
        SynchronousDoor.Result(DisposeCore(shutdownTimeout, synchronously: true));

    /// <summary>
    /// As <see cref="Dispose"/>, without blocking a thread while the listener drains.
    /// </summary>
    /// <returns>A task that completes when the sink is disposed.</returns>
    public async ValueTask DisposeAsync() => await DisposeCore(_shutdownTimeout, synchronously: false).ConfigureAwait(false);

    /// <summary>The one body of <see cref="TryDisposeWithin"/> and <see cref="DisposeAsync"/>:
    /// <paramref name="synchronously"/> only chooses how the listener's shutdown waits.</summary>
    /// <returns><see langword="false"/> when another call had already begun disposal.</returns>
    async ValueTask<bool> DisposeCore(TimeSpan shutdownTimeout, bool synchronously)
    {
        if (!BeginDispose()) return false;

        try
        {
            if (_listener is not null)
            {
                if (synchronously) _listener.Shutdown(shutdownTimeout);
                else await _listener.ShutdownAsync(shutdownTimeout).ConfigureAwait(false);
            }

            EndDispose();
        }
        catch (Exception ex)
        {
            ReportDisposeFailure(ex);
        }
        finally
        {
            _processExitDrain.DisposalFinished();
        }

        return true;
    }

    bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return false;

        // Only one disposal gets here, so the handler is removed once; removing it from inside the handler, at
        // process exit, is allowed.
        _processExitDrain.Unregister();

        // Release producers parked in Block mode: after this, nothing will make room for them.
        _shutdown.Cancel();
        return true;
    }

    /// <summary>What disposal does once the listener is done: account for events that raced it, report the
    /// queue's last drops before returning, and, when failures went to no listener of the application's own, sum
    /// them up on standard error.</summary>
    void EndDispose()
    {
        AccountForEventRacingDisposal();
        try
        {
            _ownedQueue?.Dispose();
        }
        catch (Exception ex)
        {
            // Disposal never throws to the application, and the summary below must still be made.
            ReportDisposeFailure(ex);
        }

        _listener?.SummarizeFailures();
    }

    /// <summary>Dispose <paramref name="queue"/> after the listener, when the sink is disposed (it holds files).</summary>
    internal void DisposeQueueAfterListener(IDisposable queue) => _ownedQueue = queue;

    void ReportDisposeFailure(Exception exception)
    {
        _failureListener.Report(this, LoggingFailureKind.Final, "failed disposing the queue sink", null, exception);
    }

    /// <summary>
    /// An enqueue raced disposal: if the listener has already stopped consuming, reclaim the event; and report a drop
    /// it caused now rather than after disposal has returned.
    /// </summary>
    void AccountForEventRacingDisposal()
    {
        if (_listener is { HasStoppedConsuming: true }) _listener.ReclaimLeftovers("the sink was disposed while the event was being enqueued");
        _builtIn?.ReportPendingDrops();
    }

    /// <summary>
    /// Dispose the sink when the process exits normally without <c>Log.CloseAndFlush()</c>; see
    /// <see cref="ProcessExitDrain"/>. Called during configuration, once; a sink without a listener of its own has
    /// nothing to drain.
    /// </summary>
    internal void DrainOnProcessExit()
    {
        if (_listener is null) return;

        _processExitDrain.Register();
    }

    /// <inheritdoc cref="ProcessExitDrain.OnProcessExit"/>
    internal void OnProcessExit() => _processExitDrain.OnProcessExit();
}
