using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// A sink that may still hold events after its <c>Emit</c> returned (a batch waiting to be sent, say), and can hand
/// them back: so that a <see cref="QueueListener"/> whose shutdown gives up on a stuck sink reports them, once, before
/// the process can end, instead of leaving them to the sink, which may never get to.
/// </summary>
/// <remarks>
/// <para>The listener finds such sinks once, when it is built, among the sinks it is given and inside Serilog's own
/// wrappers (the aggregate of several sinks, the level-restricted wrapper, a sub-logger). It calls
/// <see cref="ReleaseHeld"/> at most once, on the thread that disposes the listener, when the shutdown timeout
/// passed and it gives up on the listener thread; that thread may still be inside the sink's <c>Emit</c> or
/// <c>Dispose</c> at that moment.</para>
/// <para>The contract, for each event the sink was handed: it has been written, or it is returned by
/// <see cref="ReleaseHeld"/>, or the sink reports it itself, once (as possibly written, when it was on its way and
/// may have arrived). After the call, the sink reports none of the returned events, and an <c>Emit</c> waiting when
/// it was made returns without writing or reporting its event (the listener accounts for it).</para>
/// <para>Over a queue that is acknowledged (<see cref="IAcknowledgingLogEventQueue"/>: a spool, a Redis stream), the
/// listener calls <see cref="WaitUntilWritten"/> after each batch and acknowledges the batch only when it returns
/// <see langword="true"/>: the queue keeps an event until it is written, not only until a sink holds it in
/// memory, which the death of the process would lose.</para>
/// </remarks>
public interface IHoldingSink
{
    /// <summary>
    /// Hand back every event this sink holds and has not written, including one whose <c>Emit</c> is waiting, and stop
    /// trying to write or report them. Must not block on the sink's destination, and must not throw.
    /// </summary>
    /// <returns>The events, which the caller reports as not written; empty when the sink holds none.</returns>
    IReadOnlyCollection<LogEvent> ReleaseHeld();

    /// <summary>
    /// Wait until every event this sink was handed so far is written at its destination, or reported by the sink
    /// itself. Called on the listener thread, between batches, by a listener over an acknowledging queue; must return
    /// once <see cref="ReleaseHeld"/> is called from another thread.
    /// </summary>
    /// <returns><see langword="false"/> when events were handed back by <see cref="ReleaseHeld"/>: the listener then
    /// leaves the batch unacknowledged, in the queue.</returns>
    bool WaitUntilWritten();
}
