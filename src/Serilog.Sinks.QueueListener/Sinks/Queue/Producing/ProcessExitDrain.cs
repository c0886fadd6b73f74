using Serilog.Debugging;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Disposes a <see cref="QueueSink"/> when the process exits normally (<c>Main</c> returns,
/// <c>Environment.Exit</c>) without <c>Log.CloseAndFlush()</c>, so that queued events still reach the wrapped sinks.
/// </summary>
/// <remarks>
/// SIGTERM is deliberately not handled here. Up to .NET 9 the runtime turned it into a normal exit, which raises
/// <see cref="AppDomain.ProcessExit"/>; since .NET 10 it does not, and a host that handles SIGTERM itself (the
/// generic host does) goes on logging while it shuts down, so a library that drained and closed the logger on the
/// signal would lose those events. Disposing the logger at the end of that shutdown is the host's job.
/// </remarks>
sealed class ProcessExitDrain
{
    readonly QueueSink _sink;

    /// <summary>
    /// The handler registered on <see cref="AppDomain.ProcessExit"/> by <see cref="Register"/>, kept so that
    /// disposal removes exactly it: the static event would otherwise hold the sink, its listener and the wrapped
    /// sinks for the life of the process. Set during configuration.
    /// </summary>
    EventHandler? _processExitHandler;

    /// <summary>
    /// Completed by the disposal that began, when it has finished. A process-exit drain that finds a disposal
    /// already under way (<c>Log.CloseAndFlush()</c> on another thread) waits on it: otherwise the process could exit
    /// in the middle of that drain.
    /// </summary>
    readonly TaskCompletionSource<bool> _disposeFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="sink">The sink to dispose at process exit.</param>
    public ProcessExitDrain(QueueSink sink)
    {
        _sink = sink;
    }

    /// <summary>
    /// Register on <see cref="AppDomain.ProcessExit"/>. The drain waits for the shutdown timeout, or
    /// <see cref="ShutdownTimeouts.UnlimitedAtProcessExit"/> when that is unlimited. Called during configuration,
    /// once.
    /// </summary>
    public void Register()
    {
        _processExitHandler = (_, _) => OnProcessExit();
        AppDomain.CurrentDomain.ProcessExit += _processExitHandler;
    }

    /// <summary>
    /// Remove the handler <see cref="Register"/> added, if any. Called by the one disposal that begins, so the
    /// handler is removed once; removing it from inside the handler, at process exit, is allowed.
    /// </summary>
    public void Unregister()
    {
        if (_processExitHandler is { } handler) AppDomain.CurrentDomain.ProcessExit -= handler;
    }

    /// <summary>Called by the disposal that began, when it has finished, whether or not it drained.</summary>
    public void DisposalFinished() => _disposeFinished.TrySetResult(true);

    /// <summary>
    /// The <see cref="AppDomain.ProcessExit"/> handler. Never throws: an exception here would surface as an
    /// unhandled exception while the process exits, and keep the handlers after this one from running.
    /// </summary>
    public void OnProcessExit()
    {
        try
        {
            var timeout = ShutdownTimeouts.ForProcessExit(_sink.ShutdownTimeout);
            if (!_sink.TryDisposeWithin(timeout)) _disposeFinished.Task.Wait(timeout);
        }
        catch (Exception ex)
        {
            SelfLog.WriteLine("Failed draining the queue sink {0} at process exit: {1}", _sink, ex);
        }
    }
}
