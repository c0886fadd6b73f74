using System.Globalization;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

// What the queue offers beyond ILogEventQueue to its own sink, listener, parking and metrics (IBuiltInQueue and
// the internal members behind it): the running listeners, the report of a stalled Block queue, the positions the
// parking reads, the drops its owner counts. The ring's state, and why the class is partial, are in
// LogEventQueue.cs.
public sealed partial class LogEventQueue
{
    /// <summary>The listener threads consuming this queue now; interlocked. Lets a flush through a sink that does not
    /// own the listener tell an empty queue that nobody reads (nothing to wait for) from one whose listener still
    /// holds events it took.</summary>
    int _runningListeners;

    /// <summary>The dequeue position at which producers were last reported to wait on a stalled queue, or -1; one
    /// report per stall. Interlocked.</summary>
    long _stallReportedAt = -1;

    /// <summary>
    /// The number of events added to the queue so far (taken or not), for metrics: the enqueue position, which the
    /// queue keeps anyway, so counting costs producers nothing.
    /// </summary>
    internal long EnqueuedCount => Volatile.Read(ref _positions.Enqueue);

    /// <summary>The next position to be taken off the queue, for <see cref="ListenerParking"/> to tell whether the
    /// listener has taken events since it last parked.</summary>
    internal long DequeuePosition => Volatile.Read(ref _positions.Dequeue);

    /// <summary><see cref="QueuePositions.ListenerParked"/>, for <see cref="ListenerParking"/>.</summary>
    internal ref int ListenerParked => ref _positions.ListenerParked;

    /// <summary><see cref="QueuePositions.WaitingProducers"/>, for <see cref="ProducerParking"/>.</summary>
    internal ref int WaitingProducers => ref _positions.WaitingProducers;

    /// <summary>Whether a listener thread is consuming the queue.</summary>
    bool IBuiltInQueue.HasRunningListener => Volatile.Read(ref _runningListeners) > 0;

    /// <summary>Called by a listener thread as it starts consuming, and, with <paramref name="running"/> false, as it
    /// stops.</summary>
    void IBuiltInQueue.ListenerRunning(bool running)
    {
        if (running) Interlocked.Increment(ref _runningListeners);
        else Interlocked.Decrement(ref _runningListeners);
    }

    /// <summary>
    /// Called by a producer that has waited <see cref="ProducerParking.StallReportDelay"/> for room while the dequeue
    /// position stayed at <paramref name="position"/>: report it, once for that position, so that a listener that was
    /// never started, has stopped or is held up in a sink shows instead of leaving the application hanging in
    /// silence. The producers go on waiting: Block mode loses nothing.
    /// </summary>
    internal void ReportStall(long position)
    {
        if (Interlocked.Exchange(ref _stallReportedAt, position) == position) return;

        var listener = Volatile.Read(ref _runningListeners) > 0
            ? "its listener is running but has not come back from a sink"
            : "no listener is running over it (never started, stopped, or its queue failed)";
        _failureListener.Report(this, LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "producers have waited {0:0.#} s for room in the full queue of {1:N0} events, and nothing was taken off it meanwhile: {2}; they go on waiting, as Block mode promises, until the listener takes events or the sink is disposed",
            ProducerParking.StallReportDelay.TotalSeconds, _capacity, listener), null);
    }

    /// <summary>How many times another thread has woken the listener; see <see cref="ListenerParking"/>.</summary>
    internal long ListenerWakeUps => _listenerParking.WakeUps;

    /// <summary>Wake the listener if it is parked, so that it sees at once that it must end.</summary>
    internal void WakeListener() => _listenerParking.WakeListener();

    internal bool HasRoom() => Volatile.Read(ref _positions.Enqueue) - Volatile.Read(ref _positions.Dequeue) < _capacity;

    internal bool HasPublishedWork()
    {
        var head = Volatile.Read(ref _positions.Dequeue);
        return Volatile.Read(ref _slots[head & _mask].Sequence) == head + 1 || _markers.NextPosition <= head;
    }

    internal bool HasReservedWork()
    {
        var head = Volatile.Read(ref _positions.Dequeue);
        return Volatile.Read(ref _positions.Enqueue) != head || _markers.NextPosition <= head;
    }

    /// <summary>
    /// Count an event that the queue's owner dropped for want of room without offering it to the queue (one logged on
    /// the listener thread, which cannot wait for room); the owner reports it.
    /// </summary>
    internal void CountDroppedByOwner() => Interlocked.Increment(ref _droppedCount);

    /// <summary>
    /// Report the dropped events that still wait for their report, on the calling thread: called by the owner of the
    /// queue before it is done with it, so that no report is left behind when the process exits.
    /// </summary>
    internal void ReportPendingDrops() => _dropReporter.ReportPending();

    long IBuiltInQueue.EnqueuedCount => EnqueuedCount;

    void IBuiltInQueue.CountDroppedByOwner() => CountDroppedByOwner();

    void IBuiltInQueue.ReportPendingDrops() => ReportPendingDrops();

    void IBuiltInQueue.WakeListener() => WakeListener();
}
