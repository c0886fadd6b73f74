using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The queue between <see cref="QueueSink"/> (the producer side, on application threads) and
/// <see cref="QueueListener"/> (the consumer side, on the listener thread). <see cref="LogEventQueue"/> is the
/// default; implement this interface to carry events some other way, over a socket or a message broker, say.
/// </summary>
/// <remarks>
/// <para>Producers call <see cref="Enqueue"/> concurrently from any number of threads. The listener calls
/// <see cref="TryDequeue"/> and <see cref="WaitToDequeue"/> from its own thread; after a shutdown that timed out,
/// the owning <see cref="QueueSink"/> also calls <see cref="TryDequeue"/> to account for what is left, while the
/// abandoned listener thread may still be running, so <see cref="TryDequeue"/> must be safe to call concurrently.</para>
/// <para>Markers (<see cref="EnqueueMarker"/>) keep their place in the order of events: a marker is returned by
/// <see cref="TryDequeue"/> only after every event enqueued before it.</para>
/// </remarks>
public interface ILogEventQueue
{
    /// <summary>
    /// The most events the queue holds at once, or <see cref="int.MaxValue"/> when it is unbounded.
    /// </summary>
    int Capacity { get; }

    /// <summary>
    /// The number of events waiting to be dequeued (a snapshot: producers and the listener keep changing it).
    /// </summary>
    int Count { get; }

    /// <summary>
    /// The number of events the queue has dropped because it was full.
    /// </summary>
    long DroppedCount { get; }

    /// <summary>
    /// Add an event at the tail of the queue, applying the queue's full mode when there is no room. An event the
    /// queue drops (the incoming one, or an older one evicted for it) is counted in <see cref="DroppedCount"/> and
    /// reported by the queue itself, which is why a queue that drops should implement
    /// <see cref="Serilog.Core.ISetLoggingFailureListener"/>.
    /// </summary>
    /// <param name="logEvent">The event to add.</param>
    /// <param name="cancellationToken">Releases a producer that is waiting for room.</param>
    /// <returns><see langword="true"/> when the event was added; <see langword="false"/> when the queue rejected
    /// it.</returns>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled while the
    /// producer waits for room; the event was not added.</exception>
    bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Add a marker behind every event enqueued so far. Never waits and never drops anything, however full the queue
    /// is, and wakes a waiting listener.
    /// </summary>
    /// <param name="marker">The marker.</param>
    void EnqueueMarker(QueueMarker marker);

    /// <summary>
    /// Take events off the head of the queue without waiting.
    /// </summary>
    /// <param name="batch">Receives up to <c>batch.Length</c> events, oldest first.</param>
    /// <param name="marker">The marker at the head of the queue, when no event stands before it; otherwise
    /// <see langword="null"/>.</param>
    /// <returns>The number of events copied into <paramref name="batch"/>. Zero with a <see langword="null"/>
    /// <paramref name="marker"/> means the queue is empty.</returns>
    int TryDequeue(LogEvent[] batch, out QueueMarker? marker);

    /// <summary>
    /// Wait until an event or a marker can be dequeued, or the timeout passes. May return sooner, with
    /// <see langword="false"/>: the caller looks at the queue again and waits again, as the listener does.
    /// </summary>
    /// <param name="timeout">How long to wait at most, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when something can be dequeued.</returns>
    bool WaitToDequeue(TimeSpan timeout);
}
