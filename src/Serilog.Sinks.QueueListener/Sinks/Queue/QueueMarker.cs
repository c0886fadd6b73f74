namespace Serilog.Sinks.Queue;

/// <summary>
/// A position in an <see cref="ILogEventQueue"/>: the listener receives it once every event enqueued before it has
/// been dequeued. The listener uses markers for its stop sentinel and for flushes.
/// </summary>
/// <remarks>
/// A queue implementation only carries markers through in order; it never looks inside them. A marker never takes an
/// event's place: it is never dropped and enqueuing it never waits, however full the queue is.
/// </remarks>
public sealed class QueueMarker
{
    /// <summary>
    /// Create a marker that the listener passes over without acting on it.
    /// </summary>
    public QueueMarker()
        : this(QueueMarkerKind.Plain)
    {
    }

    internal QueueMarker(QueueMarkerKind kind)
    {
        Kind = kind;
    }

    internal QueueMarkerKind Kind { get; }

    /// <summary>
    /// Completed by whoever takes the marker off the queue: <see langword="true"/> when the listener reached it (and,
    /// for a flush, every sink flushed), <see langword="false"/> when it was discarded at shutdown or a sink failed to
    /// flush.
    /// </summary>
    internal TaskCompletionSource<bool> Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
