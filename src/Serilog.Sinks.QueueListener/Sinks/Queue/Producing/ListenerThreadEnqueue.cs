using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// How a <see cref="QueueSink"/> enqueues an event logged on a listener thread (by a sink that logs, an HTTP client
/// that logs, SelfLog routed into Serilog): never waiting for room, which only that thread could make, and never
/// feeding itself without end.
/// </summary>
/// <remarks>
/// When the queue is full in Block mode, the event is carried past it as a marker, which keeps its place among the
/// events and never waits; at most <see cref="OverflowLimit"/> such events at a time, beyond which an event is
/// dropped, counted in the <see cref="LogEventQueue.DroppedCount"/> of the built-in queue, and reported. Logging nested deeper than <see cref="ListenerThreadContext.MaxDepth"/> is cut off and
/// reported. Used by any thread that logs from a listener thread, so the count is interlocked.
/// </remarks>
sealed class ListenerThreadEnqueue
{
    /// <summary>The most events logged on listener threads that a sink carries past its full queue at once.</summary>
    public const int OverflowLimit = 1024;

    /// <summary>A token cancelled from the start: with it, a full queue in Block mode refuses at once.</summary>
    static readonly CancellationToken NoWait = new(canceled: true);

    readonly ILogEventQueue _queue;
    readonly IBuiltInQueue? _builtIn;
    readonly object _sender;
    readonly Func<ILoggingFailureListener> _failureListener;

    /// <summary>Releases one of <see cref="_carried"/>, when its marker is taken off the queue.</summary>
    readonly Action<bool> _releaseCarried;

    /// <summary>Events carried past the full queue as markers and not yet taken off it; interlocked.</summary>
    int _carried;

    /// <param name="queue">The sink's queue.</param>
    /// <param name="builtIn">The queue, when it is the built-in one; see <see cref="IBuiltInQueue"/>.</param>
    /// <param name="sender">The sink, reported as the sender.</param>
    /// <param name="failureListener">Reads the sink's failure listener.</param>
    public ListenerThreadEnqueue(ILogEventQueue queue, IBuiltInQueue? builtIn, object sender, Func<ILoggingFailureListener> failureListener)
    {
        _queue = queue;
        _builtIn = builtIn;
        _sender = sender;
        _failureListener = failureListener;
        _releaseCarried = _ => Interlocked.Decrement(ref _carried);
    }

    /// <summary>Enqueue <paramref name="logEvent"/>, logged on the listener thread that <paramref name="listenerThread"/>
    /// describes. Never throws, never waits.</summary>
    public void Enqueue(LogEvent logEvent, ListenerThreadContext listenerThread)
    {
        var depth = listenerThread.DepthOfNewEvent();
        if (depth > ListenerThreadContext.MaxDepth)
        {
            _failureListener().Report(_sender, LoggingFailureKind.Permanent, string.Format(CultureInfo.InvariantCulture,
                "reentrant logging from a sink on the listener thread, nested {0} deep, was cut off: a sink that logs for each event it writes would loop forever; the event was not written",
                depth), [logEvent]);
            return;
        }

        ListenerThreadContext.Record(logEvent, depth);
        try
        {
            _queue.Enqueue(logEvent, NoWait);
        }
        catch (OperationCanceledException)
        {
            CarryPastFullQueue(logEvent);
        }
        catch (Exception ex)
        {
            _failureListener().ReportEnqueueFailure(_sender, logEvent, ex);
        }
    }

    void CarryPastFullQueue(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _carried) > OverflowLimit)
        {
            Interlocked.Decrement(ref _carried);

            // A drop for want of room like the queue's own, so counted with them where a health check or the dropped
            // metric reads; a queue of the user's own counts only what it drops itself.
            _builtIn?.CountDroppedByOwner();
            _failureListener().Report(_sender, LoggingFailureKind.Permanent, string.Format(CultureInfo.InvariantCulture,
                "an event logged on the listener thread found the queue full, with {0} such events already carried past it; it was dropped, since waiting for room there would deadlock",
                OverflowLimit), [logEvent]);
            return;
        }

        try
        {
            _queue.EnqueueMarker(new QueueMarker(QueueMarkerKind.Event, _releaseCarried, logEvent));
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _carried);
            _failureListener().ReportEnqueueFailure(_sender, logEvent, ex);
        }
    }
}
