using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// One type over three files: this one its construction, its configuration and the producer path (Emit);
// QueueSink.Flush.cs its flush, QueueSink.Disposal.cs its disposal, the process-exit drain and the events that race
// it. A partial class rather than collaborators: the sink does one job, the producer half, and its flush and disposal
// already delegate to FlushCoalescer, ProcessExitDrain and the listener's shutdown; what is left of them reads the
// sink's own fields, first of all the disposal flag that Emit reads twice.

/// <summary>
/// Hands each event to an <see cref="ILogEventQueue"/> on the calling thread and returns: the producer half of
/// Python's <c>QueueHandler</c> / <c>QueueListener</c> pair. A <see cref="QueueListener"/> on its own thread writes
/// the events to the real sinks.
/// </summary>
/// <remarks>
/// <para><see cref="Emit"/> never throws. An event that cannot be queued (the sink is disposed, the queue failed) is
/// reported to the failure listener (<see cref="SelfLog.FailureListener"/> unless one is set) with the event; events
/// the queue drops when full are reported by the queue.</para>
/// <para>Disposal (<c>Log.CloseAndFlush()</c> calls it) is final and idempotent. A sink that owns its listener stops
/// it, draining the queue within the shutdown timeout, then disposes the wrapped sinks; events left behind when the
/// timeout passes, and events that race with disposal, are reported as <see cref="LoggingFailureKind.Final"/>. When
/// the timeout passes because a sink hangs, disposal returns anyway and the wrapped sinks are disposed later, by the
/// listener thread, if that sink ever returns.</para>
/// <para>A sink made by <c>WriteTo.Queue</c> also drains when the process exits normally without disposal, unless
/// configured with <c>drainOnProcessExit: false</c>; a sink constructed directly leaves that to its owner.</para>
/// </remarks>
public sealed partial class QueueSink : ILogEventSink, IDisposable, IAsyncDisposable, ISetLoggingFailureListener
{
    readonly ILogEventQueue _queue;

    /// <summary>What the built-in queue offers beyond <see cref="ILogEventQueue"/>, or <see langword="null"/> for a
    /// user's queue; see <see cref="IBuiltInQueue"/>.</summary>
    readonly IBuiltInQueue? _builtIn;
    readonly QueueListener? _listener;
    readonly TimeSpan _shutdownTimeout;

    /// <summary>Cancelled by disposal to release producers waiting for room in Block mode. Never disposed, so the
    /// cached <see cref="_shutdownToken"/> stays valid for late producers.</summary>
    readonly CancellationTokenSource _shutdown = new();
    readonly CancellationToken _shutdownToken;

    /// <summary>
    /// 1 once disposal has begun. Written with an interlocked exchange (a full fence) before the listener is stopped;
    /// read by <see cref="Emit"/> before and after the enqueue. See <see cref="Emit"/> for why this accounts for every
    /// event that races with disposal.
    /// </summary>
    int _disposed;

    /// <summary>The caller-side level filter of <c>WriteTo.Queue</c>; set during configuration.</summary>
    LogEventLevel _minimumLevel = LevelAlias.Minimum;
    LoggingLevelSwitch? _levelSwitch;

    /// <summary>Set during configuration, before logging starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>Registered on process exit by <see cref="DrainOnProcessExit"/>; unregistered by disposal.</summary>
    readonly ProcessExitDrain _processExitDrain;

    /// <summary>Flushes through a queue whose listener someone else runs; see <see cref="FlushCoalescer"/>.</summary>
    readonly FlushCoalescer _flushes;

    /// <summary>How an <see cref="Emit"/> on a listener thread enqueues; see <see cref="ListenerThreadEnqueue"/>.</summary>
    readonly ListenerThreadEnqueue _listenerThreadEnqueue;

    /// <summary>What an <see cref="Emit"/> does while the owned listener is not running; see
    /// <see cref="IdleListenerWatch"/>.</summary>
    readonly IdleListenerWatch _idleListenerWatch;

    /// <summary>
    /// Create a sink that only enqueues: another party runs the listener over <paramref name="queue"/>.
    /// </summary>
    /// <param name="queue">The queue to add events to.</param>
    /// <exception cref="ArgumentNullException">When <paramref name="queue"/> is <see langword="null"/>.</exception>
    public QueueSink(ILogEventQueue queue)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _builtIn = queue as IBuiltInQueue;
        _shutdownToken = _shutdown.Token;
        _shutdownTimeout = Timeout.InfiniteTimeSpan;
        _processExitDrain = new ProcessExitDrain(this);
        _flushes = new FlushCoalescer(queue, this, () => _failureListener);
        _listenerThreadEnqueue = new ListenerThreadEnqueue(queue, _builtIn, this, () => _failureListener);
        _idleListenerWatch = new IdleListenerWatch(queue, _builtIn, this, () => _failureListener);
    }

    /// <summary>
    /// Create a sink that owns <paramref name="listener"/>: disposing the sink stops the listener, waiting without
    /// limit for the drain, and disposes it.
    /// </summary>
    /// <param name="queue">The queue to add events to.</param>
    /// <param name="listener">The listener over <paramref name="queue"/>. The sink does not start it.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="listener"/> reads another queue.</exception>
    public QueueSink(ILogEventQueue queue, QueueListener listener)
        : this(queue, listener, null)
    {
    }

    /// <summary>
    /// Create a sink that owns <paramref name="listener"/>: disposing the sink stops the listener, waiting at most
    /// <paramref name="shutdownTimeout"/> for the drain, and disposes it.
    /// </summary>
    /// <param name="queue">The queue to add events to.</param>
    /// <param name="listener">The listener over <paramref name="queue"/>. The sink does not start it.</param>
    /// <param name="shutdownTimeout">How long disposal waits for the drain; <see langword="null"/> or
    /// <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <exception cref="ArgumentNullException">When <paramref name="queue"/> or <paramref name="listener"/> is
    /// <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="listener"/> reads another queue.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="shutdownTimeout"/> is negative and not
    /// infinite.</exception>
    public QueueSink(ILogEventQueue queue, QueueListener listener, TimeSpan? shutdownTimeout)
        : this(queue)
    {
        _listener = listener ?? throw new ArgumentNullException(nameof(listener));
        if (!ReferenceEquals(listener.Queue, queue))
        {
            throw new ArgumentException("The listener must read the queue the sink writes to.", nameof(listener));
        }

        _shutdownTimeout = ShutdownTimeouts.Validate(shutdownTimeout, nameof(shutdownTimeout));
    }

    /// <summary>
    /// The queue the sink adds events to.
    /// </summary>
    public ILogEventQueue Queue => _queue;

    /// <summary>
    /// The listener the sink owns, or <see langword="null"/> when someone else runs it.
    /// </summary>
    public QueueListener? Listener => _listener;

    /// <summary>
    /// The number of events the owned listener has handled; zero when someone else runs the listener.
    /// </summary>
    public long HandledCount => _listener?.HandledCount ?? 0;

    /// <summary>How long disposal waits for the drain.</summary>
    internal TimeSpan ShutdownTimeout => _shutdownTimeout;

    /// <summary>
    /// Add the event to the queue and return. Never throws.
    /// </summary>
    /// <remarks>
    /// Called on a listener thread (by a sink that logs), it never waits for room, which only that thread could
    /// make: when the queue is full, the event is carried past it, in order, as a marker (at most
    /// <see cref="ListenerThreadEnqueue.OverflowLimit"/> at a time; beyond that it is dropped and reported), and logging
    /// nested deeper than <see cref="ListenerThreadContext.MaxDepth"/> (a sink that logs for every event it writes
    /// loops forever) is cut off and reported.
    /// </remarks>
    /// <param name="logEvent">The event.</param>
    public void Emit(LogEvent logEvent)
    {
        if (logEvent is null)
        {
            _failureListener.Report(this, LoggingFailureKind.Permanent, "cannot enqueue a null event", null,
                new ArgumentNullException(nameof(logEvent)));
            return;
        }

        if (logEvent.Level < (_levelSwitch?.MinimumLevel ?? _minimumLevel)) return;

        if (Volatile.Read(ref _disposed) != 0)
        {
            _failureListener.Report(this, LoggingFailureKind.Final, "the sink has been disposed; the event was not written", [logEvent]);
            return;
        }

        if (ListenerThreadContext.Current is { } listenerThread)
        {
            _listenerThreadEnqueue.Enqueue(logEvent, listenerThread);
        }
        else
        {
            try
            {
                if (_listener is not { IsRunning: false } idle || !_idleListenerWatch.TryEnqueueBeside(idle, logEvent))
                {
                    _queue.Enqueue(logEvent, _shutdownToken);
                }
            }
            catch (OperationCanceledException) when (_shutdownToken.IsCancellationRequested)
            {
                _failureListener.Report(this, LoggingFailureKind.Final,
                    "the sink was disposed while the event waited for room; the event was not written", [logEvent]);
                return;
            }
            catch (Exception ex)
            {
                _failureListener.ReportEnqueueFailure(this, logEvent, ex);
                return;
            }
        }

        // The enqueue reserved its position with a full fence before this read. If disposal had not begun by now,
        // or the listener is still consuming, the listener's final reclaim (after it stops consuming) sees the
        // reservation. Otherwise the listener may already be gone past this event, so take it back and report it
        // here. Either way the event is written or reported, never stranded. (Reclaiming while the listener still
        // consumes would be wrong: it could take the sentinel the listener is waiting for.)
        if (Volatile.Read(ref _disposed) == 0) return;

        try
        {
            AccountForEventRacingDisposal();
        }
        catch (Exception ex)
        {
            _failureListener.Report(this, LoggingFailureKind.Final, "failed accounting for an event that raced disposal", [logEvent], ex);
        }
    }

    /// <summary>
    /// Set the failure listener, and pass it on to the queue and the owned listener (and through it the wrapped
    /// sinks), so that dropped and failed events reach, for example, a <c>WriteTo.FallbackChain(...)</c>.
    /// </summary>
    /// <param name="failureListener">The listener to report failures to.</param>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
        (_queue as ISetLoggingFailureListener)?.SetFailureListener(failureListener);
        _listener?.SetFailureListener(failureListener);
    }

    /// <summary>
    /// Filter on the calling thread, before the enqueue, rather than through a wrapping sink: Serilog's restricting
    /// wrapper does not pass <see cref="SetFailureListener"/> on, which would cut dropped events off from a fallback.
    /// </summary>
    internal void RestrictTo(LogEventLevel minimumLevel, LoggingLevelSwitch? levelSwitch)
    {
        _minimumLevel = minimumLevel;
        _levelSwitch = levelSwitch;
    }
}
