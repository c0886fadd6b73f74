namespace Serilog.Sinks.Queue;

/// <summary>
/// Starts background work without the starting thread's <see cref="ExecutionContext"/>: the listener thread and the
/// drop reporter's timer outlive whatever scope started them, and must not carry its AsyncLocals (LogContext among
/// them) into every event they handle.
/// </summary>
static class ExecutionContextFlow
{
    public static TResult Suppressed<TState, TResult>(TState state, Func<TState, TResult> start)
    {
        // SuppressFlow throws when flow is suppressed already, which is just as good.
        if (ExecutionContext.IsFlowSuppressed()) return start(state);

        using (ExecutionContext.SuppressFlow())
        {
            return start(state);
        }
    }
}
