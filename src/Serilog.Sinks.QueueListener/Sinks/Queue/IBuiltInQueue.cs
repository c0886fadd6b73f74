namespace Serilog.Sinks.Queue;

/// <summary>
/// What the built-in <see cref="LogEventQueue"/> offers its sink, its listener and the metrics beyond
/// <see cref="ILogEventQueue"/>. Each of them asks for it once, when it is built (<c>queue as IBuiltInQueue</c>), and
/// a queue of the user's own, which has none of it, takes these paths instead:
/// <list type="bullet">
/// <item>no wake-up when the listener must end: it notices within its own wait's timeout;</item>
/// <item>drops are the queue's to count and report, events a listener thread drops included only in the report;</item>
/// <item>a flush through a sink that does not own its listener cannot tell that nobody reads the queue, and waits
/// for its marker up to its timeout;</item>
/// <item>a never-started owned listener is not started by a waiting producer (a user's queue may be filled before
/// its listener starts, on purpose); the wait is reported instead;</item>
/// <item>the metrics leave out the enqueued count and the full mode's tag.</item>
/// </list>
/// </summary>
interface IBuiltInQueue
{
    /// <summary>What the queue does with a new event when it is full.</summary>
    QueueFullMode FullMode { get; }

    /// <summary>Events enqueued since the queue was made, for the metrics.</summary>
    long EnqueuedCount { get; }

    /// <summary>Whether a listener thread is consuming the queue now.</summary>
    bool HasRunningListener { get; }

    /// <summary>Called as a listener thread starts consuming, and, with <see langword="false"/>, as it stops.</summary>
    void ListenerRunning(bool running);

    /// <summary>Count an event the queue's owner dropped for want of room without offering it to the queue; the owner
    /// reports it.</summary>
    void CountDroppedByOwner();

    /// <summary>Report, on the calling thread, the dropped events that still wait for their report.</summary>
    void ReportPendingDrops();

    /// <summary>Wake the listener if it is parked, so that it sees at once that it must end.</summary>
    void WakeListener();
}
