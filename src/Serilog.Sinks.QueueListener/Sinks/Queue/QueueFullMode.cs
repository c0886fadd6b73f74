namespace Serilog.Sinks.Queue;

/// <summary>
/// What a bounded queue does with a new event when it already holds as many events as its capacity.
/// </summary>
public enum QueueFullMode
{
    /// <summary>
    /// The producer waits until the listener frees room. Nothing is ever lost; a slow sink slows the application.
    /// </summary>
    Block,

    /// <summary>
    /// The new event is rejected, counted, and reported to the failure listener. The application never waits.
    /// </summary>
    DropIncoming,

    /// <summary>
    /// The oldest queued event is evicted, counted, and reported to the failure listener, and the new event takes
    /// its place. The application never waits, and the queue keeps the most recent events.
    /// </summary>
    DropOldest,
}
