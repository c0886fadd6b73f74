namespace Serilog.Sinks.Queue;

/// <summary>
/// Where a <see cref="QueueListener"/> is in its life, as a health check sees it; see
/// <see cref="QueueHandle.State"/>.
/// </summary>
public enum QueueListenerState
{
    /// <summary>Constructed, never started: events wait in the queue (or are dropped, as its full mode says).</summary>
    NotStarted,

    /// <summary>Its thread is taking events off the queue.</summary>
    Running,

    /// <summary>Stopped after running (by <see cref="QueueListener.Stop()"/>, or because its queue kept failing);
    /// it can be started again.</summary>
    Stopped,

    /// <summary>Disposed: it drained the queue and disposed its sinks, or is doing so now.</summary>
    Disposed,

    /// <summary>Disposed, but the shutdown gave up waiting for it: events it could not write were reported to the
    /// failure listener, and its thread may still be inside a sink.</summary>
    Abandoned,
}
