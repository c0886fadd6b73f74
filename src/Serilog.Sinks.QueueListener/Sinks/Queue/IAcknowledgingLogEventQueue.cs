namespace Serilog.Sinks.Queue;

/// <summary>
/// An <see cref="ILogEventQueue"/> that wants to know when the listener is done with what it took: a queue over a
/// broker that keeps each entry until it is acknowledged (Redis Streams, a message queue), so that an entry is
/// acknowledged only once every sink has received its event, and a listener that dies first leaves it for another.
/// </summary>
/// <remarks>
/// The listener calls <see cref="Acknowledge"/> on its own thread, after it has handed every event of a batch that
/// <see cref="ILogEventQueue.TryDequeue"/> returned to every sink (whether a sink failed on an event or not: such
/// failures are reported with the event). Events the listener did not write (a shutdown gave up on it) are never
/// acknowledged. An exception from <see cref="Acknowledge"/> is reported to the failure listener, and the listener
/// goes on.
/// </remarks>
public interface IAcknowledgingLogEventQueue : ILogEventQueue
{
    /// <summary>
    /// Every event <see cref="ILogEventQueue.TryDequeue"/> has returned to the listener so far has been handed to
    /// every sink.
    /// </summary>
    void Acknowledge();
}
