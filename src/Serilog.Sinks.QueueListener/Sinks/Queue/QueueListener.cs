using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// One type over four files: this one its construction and its public lifecycle (start, stop, dispose);
// QueueListener.Flush.cs its flush, QueueListener.Overridable.cs the members a subclass may override and their
// contract, QueueListener.Internal.cs what the owning sink, WriteTo.Queue, the health check and the metrics read and
// call. A partial class rather than collaborators: the listener's work is already done by its parts (ListenerLoop,
// ListenerShutdown, ListenerRunState, ...); what is left is its public and overridable surface, whose documentation
// is most of its length.

/// <summary>
/// Takes events off an <see cref="ILogEventQueue"/> on a dedicated background thread and writes each one, after
/// <see cref="Prepare"/>, to every wrapped sink in order: the consumer half of Python's
/// <c>QueueHandler</c> / <c>QueueListener</c> pair.
/// </summary>
/// <remarks>
/// <para>Lifecycle: constructing starts nothing; <see cref="Start"/> starts the thread; <see cref="Stop()"/> sends a
/// sentinel through the queue and returns once every event enqueued before the call has been handled. A stopped
/// listener can be started again. <see cref="Dispose"/> drains what the queue holds, also when the listener is
/// stopped or was never started, then disposes the wrapped sinks, on the listener thread; that is final.</para>
/// <para>Failures never stop the listener: an exception from <see cref="Prepare"/>, from a sink, or from an override
/// of <see cref="Handle"/> is reported to the failure listener (<see cref="SelfLog.FailureListener"/> unless one is
/// set) with the event, and the listener goes on with the next event. A queue that throws is retried with a backoff;
/// one that keeps failing stops the listener, and what it still holds is reclaimed and reported at disposal. Neither
/// an exception nor <see cref="Thread.Interrupt"/> ends the listener thread otherwise, and disposal never
/// throws.</para>
/// <para>Subclasses may override <see cref="Prepare"/>, <see cref="Handle"/> and <see cref="EnqueueSentinel"/>; all
/// three run on the listener thread except <see cref="EnqueueSentinel"/>, which runs on the thread that stops the
/// listener.</para>
/// </remarks>
public partial class QueueListener : IDisposable, IAsyncDisposable, ISetLoggingFailureListener
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> that reports on running listeners and their
    /// queues, tagged with <c>queue.name</c> = <see cref="Name"/>.
    /// </summary>
    public const string MeterName = "Serilog.Sinks.QueueListener";

    readonly ILogEventQueue _queue;

    /// <summary>What the built-in queue offers beyond <see cref="ILogEventQueue"/>, or <see langword="null"/> for a
    /// user's queue; see <see cref="IBuiltInQueue"/>.</summary>
    readonly IBuiltInQueue? _builtIn;

    // The listener's work, split by concern so that each part reads on its own; this class keeps the public surface
    // and the overridable members, and delegates. Each type says which threads use it and under which lock.
    readonly ListenerRunState _runState;
    readonly ListenerSinks _sinks;
    readonly ListenerLoop _loop;
    readonly ListenerShutdown _shutdown;
    readonly LeftoverReclaimer _reclaimer;
    readonly ListenerFailures _failures;
    readonly FlushCoalescer _flushes;

    /// <summary>Holds events and flushes at a level (see <see cref="ConfigureLevelAware"/>); <see langword="null"/>
    /// when neither is asked for. Set during configuration, before <see cref="Start"/>.</summary>
    LevelAwareOutput? _levelAware;

    /// <summary>Numbers the default names.</summary>
    static int _lastNameNumber;

    string _name = "queue-" + Interlocked.Increment(ref _lastNameNumber).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Set during configuration, before the listener starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>
    /// Create a listener over <paramref name="queue"/> that writes to <paramref name="sinks"/>, in the order given.
    /// </summary>
    /// <param name="queue">The queue to take events from.</param>
    /// <param name="sinks">The sinks to write to.</param>
    /// <exception cref="ArgumentNullException">When <paramref name="queue"/> or <paramref name="sinks"/> is
    /// <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="sinks"/> contains <see langword="null"/>.</exception>
    public QueueListener(ILogEventQueue queue, params ILogEventSink[] sinks)
        : this(queue, (IEnumerable<ILogEventSink>)sinks)
    {
    }

    /// <inheritdoc cref="QueueListener(ILogEventQueue, ILogEventSink[])"/>
    public QueueListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _builtIn = queue as IBuiltInQueue;
        var sinkArray = sinks?.ToArray() ?? throw new ArgumentNullException(nameof(sinks));
        if (Array.IndexOf(sinkArray, null) >= 0)
        {
            throw new ArgumentException("The sinks must not contain null.", nameof(sinks));
        }

        _failures = new ListenerFailures(this, () => _failureListener);
        _sinks = new ListenerSinks(_failures, sinkArray);
        _runState = new ListenerRunState(this, _builtIn);
        _reclaimer = new LeftoverReclaimer(queue, _failures);
        var parts = new ListenerParts(queue, _builtIn, _sinks, _runState, _failures, _reclaimer, Handle, () => HandlesByWritingOnly, EnqueueSentinel, () => _levelAware);
        _loop = new ListenerLoop(parts);
        _shutdown = new ListenerShutdown(parts, _loop, () => Name);
        _flushes = new FlushCoalescer(queue, this, () => _failureListener);
        _handlesByDefault = IsOwn(new Action<LogEvent>(Handle)) && IsOwn(new Func<LogEvent, LogEvent>(Prepare));
    }

    /// <summary>
    /// The queue the listener takes events from.
    /// </summary>
    public ILogEventQueue Queue => _queue;

    /// <summary>
    /// <see langword="true"/> from <see cref="Start"/> until the listener thread has ended.
    /// </summary>
    public bool IsRunning => _runState.IsRunning;

    /// <summary>
    /// The number of events the listener has handled: taken off the queue, prepared and written to every sink
    /// (whether or not a sink failed on it). Events reported as not written at shutdown are not counted.
    /// </summary>
    public long HandledCount => _loop.HandledCount;

    /// <summary>
    /// Tells this queue apart from others in metrics (the <c>queue.name</c> tag). Defaults to <c>queue-</c> and a
    /// number unique in the process. Takes effect at the next <see cref="Start"/>.
    /// </summary>
    /// <exception cref="ArgumentException">When set to <see langword="null"/>, empty or white space.</exception>
    public string Name
    {
        get => Volatile.Read(ref _name);
        set
        {
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("The name must not be empty.", nameof(value));
            Volatile.Write(ref _name, value);
        }
    }

    /// <summary>
    /// Start the listener thread.
    /// </summary>
    /// <returns>This listener, so that <c>using var listener = new QueueListener(queue, sink).Start();</c>
    /// works.</returns>
    /// <exception cref="InvalidOperationException">When the listener is running (or still stopping).</exception>
    /// <exception cref="ObjectDisposedException">When the listener has been disposed.</exception>
    public QueueListener Start()
    {
        _runState.Start(Name, _loop.Run);
        return this;
    }

    /// <summary>
    /// Stop the listener: send the sentinel and wait, without limit, until every event enqueued before this call
    /// has been handled and the thread has ended. Does nothing when the listener is not running.
    /// </summary>
    /// <remarks>
    /// Python's <c>stop()</c>, which returns nothing either: a wait without limit ends only once the listener has
    /// stopped, so there is nothing to tell, save in one case: called from a sink, on the listener thread itself, it
    /// returns at once (waiting for itself would deadlock) and the listener stops when it reaches the sentinel. Use
    /// <see cref="Stop(TimeSpan)"/> to learn which happened, or to bound the wait.
    /// </remarks>
    public void Stop() => Stop(Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Stop the listener: send the sentinel and wait until every event enqueued before this call has been handled
    /// and the thread has ended, or the timeout passes. Does nothing when the listener is not running.
    /// </summary>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when the listener has stopped; <see langword="false"/> when the timeout passed
    /// first (the listener goes on draining and stops when it reaches the sentinel), or when called on the listener
    /// thread itself, from a sink, where waiting would deadlock.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    public bool Stop(TimeSpan timeout) => _shutdown.Stop(timeout);

    /// <summary>
    /// Set the failure listener, and pass it on to the wrapped sinks that accept one.
    /// </summary>
    /// <param name="failureListener">The listener to report failures to.</param>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
        _sinks.SetFailureListener(failureListener);
    }

    /// <summary>
    /// Stop the listener, waiting without limit for the drain, then dispose the wrapped sinks. A stopped (or never
    /// started) listener is started for the drain. Final: a disposed listener cannot be started again. A second call
    /// does nothing. Never throws: failures, an override's included, are reported.
    /// </summary>
    public void Dispose()
    {
        Shutdown(Timeout.InfiniteTimeSpan);
        SummarizeFailures();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stop the listener, waiting without limit and without blocking a thread for the drain; the listener thread then
    /// disposes the wrapped sinks as <see cref="Dispose"/> does (<see cref="IDisposable.Dispose"/> where a sink has it,
    /// otherwise <see cref="IAsyncDisposable.DisposeAsync"/>, waited for on that thread). Final, like
    /// <see cref="Dispose"/>.
    /// </summary>
    /// <returns>A task that completes when the sinks are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        SummarizeFailures();
        GC.SuppressFinalize(this);
    }

}
