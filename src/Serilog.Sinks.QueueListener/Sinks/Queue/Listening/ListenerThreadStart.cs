namespace Serilog.Sinks.Queue;

/// <summary>
/// Starts the thread of a listener's run, for <see cref="ListenerRunState"/>, under its lock: the listener is
/// registered with the metrics and counted as a reader of its built-in queue before the thread starts, the thread
/// starts without the caller's execution context, and when it cannot be started both are undone, so that the caller
/// can leave its state as it was.
/// </summary>
static class ListenerThreadStart
{
    /// <param name="body">The thread's body.</param>
    /// <param name="state">What the body is given: the run's completion and number.</param>
    /// <param name="listener">The listener, observed by the metrics from here until the thread ends (the thread
    /// unregisters it under the state's lock, so a restart cannot cross it).</param>
    /// <param name="builtInQueue">Its queue, when it is the built-in one; see <see cref="IBuiltInQueue"/>.</param>
    /// <returns>The started thread.</returns>
    public static Thread Start(ParameterizedThreadStart body, object state, QueueListener listener, IBuiltInQueue? builtInQueue)
    {
        QueueMetrics.Register(listener);

        var thread = new Thread(body) { IsBackground = true, Name = "Serilog.Sinks.QueueListener" };
        // Counted before the thread starts, so that a flush right after Start waits for it; the thread's run
        // uncounts itself as it ends.
        builtInQueue?.ListenerRunning(true);
        try
        {
            ExecutionContextFlow.Suppressed((thread, state), static s =>
            {
                s.thread.Start(s.state);
                return true;
            });
        }
        catch
        {
            builtInQueue?.ListenerRunning(false);
            QueueMetrics.Unregister(listener);
            throw;
        }

        return thread;
    }
}
