using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// A position in an <see cref="ILogEventQueue"/>: the listener receives it once every event enqueued before it has
/// been dequeued. The listener uses markers for its stop sentinel and for flushes.
/// </summary>
/// <remarks>
/// Markers are made by the listener and the sink only (a stop, a flush, an event logged on the listener thread into
/// a full queue). A queue implementation only carries them through in order, as <see cref="ILogEventQueue"/> says;
/// it never makes or looks inside one. A marker never takes an event's place: it is never dropped and enqueuing it
/// never waits, however full the queue is.
/// </remarks>
public sealed class QueueMarker
{
    /// <summary>
    /// Create a marker for the listener to act on.
    /// </summary>
    /// <param name="kind">What the listener does when it reaches the marker.</param>
    /// <param name="completed">Called with the result when the marker is completed, on the completing thread
    /// (before the listener thread can end), once.</param>
    /// <param name="logEvent">For <see cref="QueueMarkerKind.Event"/>, the event the marker carries.</param>
    internal QueueMarker(QueueMarkerKind kind, Action<bool>? completed = null, LogEvent? logEvent = null)
    {
        Kind = kind;
        _completed = completed;
        Event = logEvent;
    }

    /// <param name="run">The run of the listener the sentinel stops.</param>
    /// <param name="final">Whether disposal sent it: only such a sentinel ends a disposed listener's last run.</param>
    internal QueueMarker(int run, bool final)
        : this(QueueMarkerKind.Sentinel)
    {
        Run = run;
        Final = final;
    }

    readonly Action<bool>? _completed;

    /// <summary>For a sentinel, the run of the listener it stops: a later run passes over it (the run it was meant
    /// for ended before reaching it, its queue having failed).</summary>
    internal int Run { get; }

    /// <summary>For a sentinel, whether disposal sent it; see <see cref="Run"/>.</summary>
    internal bool Final { get; }

    internal QueueMarkerKind Kind { get; }

    /// <summary>The event of a <see cref="QueueMarkerKind.Event"/> marker, carried past a full queue: how an event
    /// logged on a listener thread is queued without waiting for room that only that thread could make. Null for
    /// the other kinds.</summary>
    internal LogEvent? Event { get; }

    /// <summary>
    /// Completed by whoever takes the marker off the queue: <see langword="true"/> when the listener reached it (and,
    /// for a flush, every sink flushed), <see langword="false"/> when it was discarded at shutdown or a sink failed to
    /// flush.
    /// </summary>
    internal TaskCompletionSource<bool> Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Complete the marker: by the listener when it reaches it, or by a reclaim that discards it. The first call
    /// wins; later ones do nothing.
    /// </summary>
    internal void Complete(bool reached)
    {
        if (Reached.TrySetResult(reached)) _completed?.Invoke(reached);
    }
}
