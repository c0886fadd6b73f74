using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What a <see cref="QueueSink"/> does while the listener it owns is not running. A listener that was never started,
/// over a <see cref="LogEventQueue"/> in Block mode, is started by the first producer that would otherwise wait for
/// room, rather than let producers wait for ever; in every other case a full queue is reported once per stop.
/// </summary>
/// <remarks>Only in the drop modes, or over a user's queue, may a queue be filled before its listener is started on
/// purpose; there the application's own <c>Start</c> must not find it running.</remarks>
sealed class IdleListenerWatch
{
    /// <summary>A token cancelled from the start: with it, a full queue in Block mode refuses at once.</summary>
    static readonly CancellationToken NoWait = new(canceled: true);

    readonly ILogEventQueue _queue;
    readonly IBuiltInQueue? _builtIn;
    readonly object _sender;
    readonly Func<ILoggingFailureListener> _failureListener;

    /// <summary>The run of the listener after which its not running was last reported; interlocked.</summary>
    int _reportedRun = -1;

    /// <param name="queue">The sink's queue.</param>
    /// <param name="builtIn">The queue, when it is the built-in one; see <see cref="IBuiltInQueue"/>.</param>
    /// <param name="sender">The sink, reported as the sender.</param>
    /// <param name="failureListener">Reads the sink's failure listener.</param>
    public IdleListenerWatch(ILogEventQueue queue, IBuiltInQueue? builtIn, object sender, Func<ILoggingFailureListener> failureListener)
    {
        _queue = queue;
        _builtIn = builtIn;
        _sender = sender;
        _failureListener = failureListener;
    }

    /// <summary>
    /// Called for each event while <paramref name="listener"/> is not running.
    /// </summary>
    /// <returns><see langword="true"/> when the event has been enqueued here; <see langword="false"/> when the
    /// caller must enqueue it.</returns>
    public bool TryEnqueueBeside(QueueListener listener, LogEvent logEvent)
    {
        if (!listener.HasEverStarted && _builtIn is { FullMode: QueueFullMode.Block })
        {
            try
            {
                // Exactly the producer that would wait starts the listener, however many race for the last slot.
                _queue.Enqueue(logEvent, NoWait);
                return true;
            }
            catch (OperationCanceledException)
            {
                StartNeverStarted(listener);
                return false;
            }
        }

        ReportOnceIfFull(listener);
        return false;
    }

    void StartNeverStarted(QueueListener listener)
    {
        try
        {
            listener.Start();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // Started by another producer, or by the application, or disposed, meanwhile.
            return;
        }

        _failureListener().Report(_sender, LoggingFailureKind.Temporary,
            "the queue is full and its listener was never started; the sink started it rather than let producers wait for ever", null);
    }

    void ReportOnceIfFull(QueueListener listener)
    {
        try
        {
            if (_queue.Count < _queue.Capacity) return;
        }
        catch (Exception)
        {
            // A user's queue that cannot say; the enqueue will find out.
            return;
        }

        // Once per stop: the run number tells one stop from the next; a never-started listener is run 0.
        var run = listener.Runs;
        if (Interlocked.Exchange(ref _reportedRun, run) == run) return;
        var state = listener.HasEverStarted
            ? "is not running (it was stopped, or its queue failed)"
            : "was never started";
        _failureListener().Report(_sender, LoggingFailureKind.Temporary,
            $"the queue is full and its listener {state}; producers wait or drop as the queue's full mode says until it is started or the sink is disposed",
            null);
    }
}
