using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

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
public class QueueListener : IDisposable, IAsyncDisposable, ISetLoggingFailureListener
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

    /// <summary>Set once a failure of the queue to answer a metrics collection has been reported; interlocked.</summary>
    int _metricsFailureReported;

    /// <summary>Whether <see cref="Handle"/> and <see cref="Prepare"/> are this class's own, not overridden: then,
    /// without <see cref="Preparation"/>, handling an event is writing it to the sinks (see
    /// <see cref="HandlesByWritingOnly"/>). Found once, at construction, when the object's type is known.</summary>
    readonly bool _handlesByDefault;

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

    /// <summary>Whether a delegate bound to a virtual member, which binds to its override, found none.</summary>
    static bool IsOwn(Delegate member) => member.Method.DeclaringType == typeof(QueueListener);

    /// <summary>
    /// The queue the listener takes events from.
    /// </summary>
    public ILogEventQueue Queue => _queue;

    /// <summary>What the built-in queue offers beyond <see cref="ILogEventQueue"/>, or <see langword="null"/> for a
    /// user's queue.</summary>
    internal IBuiltInQueue? BuiltInQueue => _builtIn;

    /// <summary>
    /// <see langword="true"/> from <see cref="Start"/> until the listener thread has ended.
    /// </summary>
    public bool IsRunning => _runState.IsRunning;

    /// <summary>
    /// <see langword="true"/> once the listener thread will take nothing more off the queue: it has ended, or it was
    /// abandoned by a shutdown that timed out. Only then may another party reclaim what is left in the queue.
    /// </summary>
    /// <remarks>Not merely "not running": a stopped listener that is being disposed has a final run ahead of it,
    /// which drains the queue itself.</remarks>
    internal bool HasStoppedConsuming => _loop.HasStoppedConsuming;

    /// <summary>Where the listener is in its life, for a health check.</summary>
    internal QueueListenerState State => _runState.State(_loop.IsAbandoned);

    /// <summary>Whether the listener has ever been started.</summary>
    internal bool HasEverStarted => _runState.HasEverStarted;

    /// <summary>The number of runs started so far, to tell one stop from the next.</summary>
    internal int Runs => _runState.Runs;

    /// <summary>
    /// The number of events the listener has handled: taken off the queue, prepared and written to every sink
    /// (whether or not a sink failed on it). Events reported as not written at shutdown are not counted.
    /// </summary>
    public long HandledCount => _loop.HandledCount;

    /// <summary>The <c>queue.name</c> tag this run reports under. Its key never changes, so a read racing a restart
    /// sees either name, never a mix.</summary>
    internal KeyValuePair<string, object?> NameTag => _runState.NameTag;

    /// <summary>Times a sink (or an override of <see cref="Handle"/>) failed on an event.</summary>
    internal long SinkFailureCount => _sinks.FailureCount;

    /// <summary>Where the listener's collaborators report failures, with the listener as the sender.</summary>
    internal ListenerFailures Failures => _failures;

    /// <summary>Report, the first time only, that the queue threw while a metrics collection read it: a collector
    /// reads every few seconds, and each read of a broken queue would fail again.</summary>
    internal void ReportMetricsFailure(Exception exception)
    {
        if (Interlocked.Exchange(ref _metricsFailureReported, 1) != 0) return;

        _failures.Report(LoggingFailureKind.Temporary,
            $"the queue {_queue.GetType()} threw while the metrics read it; it is left out of each collection it fails, and later failures are not reported",
            null, exception);
    }

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
    /// The enrichers of <c>WriteTo.Queue(prepare: ...)</c>, applied by the default <see cref="Prepare"/>. Set before
    /// <see cref="Start"/>.
    /// </summary>
    internal EventPreparation? Preparation { get; set; }

    /// <summary>
    /// Hold events until a trigger (<paramref name="hold"/>), and flush the sinks after an event at or above
    /// <paramref name="flushAtLevel"/>; called by <c>WriteTo.Queue</c> before <see cref="Start"/>.
    /// </summary>
    internal void ConfigureLevelAware(HoldOptions? hold, LogEventLevel? flushAtLevel) =>
        _levelAware = LevelAwareOutput.Create(_sinks, _failures, hold, flushAtLevel);

    /// <summary>Events held now by <see cref="HoldOptions"/>; 0 when nothing is held.</summary>
    internal int HeldCount => _levelAware?.HeldCount ?? 0;

    /// <summary>Held events let go without being written; 0 when nothing is held.</summary>
    internal long LetGoCount => _levelAware?.LetGoCount ?? 0;

    /// <summary>Whether events are held, for the metrics, which leave the two counts out otherwise.</summary>
    internal bool Holds => _levelAware?.Holds ?? false;

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
    /// Wait until every event enqueued before this call has been written to every sink, and the sinks that can be
    /// flushed have been, or the timeout passes.
    /// </summary>
    /// <remarks>
    /// A flush marker goes through the queue behind the events; when the listener reaches it, it calls
    /// <c>FlushToDisk()</c> on each sink that has one (Serilog.Sinks.File's sinks do), also inside Serilog's own
    /// wrappers, then completes the flush. A flush that times out leaves its marker behind: the sinks are still
    /// flushed when the listener gets there. Flushes coalesce: while one marker is on its way, later flushes share the
    /// next, so the queue never holds more than one, however often a flush is polled. In
    /// <see cref="QueueFullMode.DropOldest"/> mode, events enqueued before the call may still be evicted while the
    /// marker waits: they are counted and reported as dropped, not written, and do not make the flush fail.
    /// </remarks>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when everything enqueued before the call, and not dropped since, has been
    /// written and flushed;
    /// <see langword="false"/> when the timeout passed first, a sink failed to flush (the failure is reported), a
    /// sink holds events a flush cannot reach (Serilog's batching sink; reported once), and at once when the listener
    /// is stopping or disposed, or the call was made on the listener thread itself, from a sink, where waiting would
    /// deadlock. When the listener is not running (never started, or stopped, which flushes the sinks), at once:
    /// <see langword="true"/> when the queue is empty, as Python's <c>queue.join()</c> after <c>stop()</c>;
    /// <see langword="false"/>, reported with the number of events, when it holds events.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    public bool Flush(TimeSpan timeout) => SynchronousDoor.Result(FlushCore(timeout, synchronously: true, CancellationToken.None));

    /// <summary>A flush that no running listener thread will reach: see <see cref="IdleQueueFlush"/>. A listener that
    /// is stopping, disposed, or flushed from its own thread answers <see langword="false"/>, as before.</summary>
    bool FlushWhileNotRunning() => State switch
    {
        QueueListenerState.NotStarted => IdleQueueFlush.Answer(_queue, "the listener was never started", this, _failureListener),
        QueueListenerState.Stopped => IdleQueueFlush.Answer(_queue, "the listener is stopped", this, _failureListener),
        _ => false,
    };

    /// <summary>
    /// As <see cref="Flush"/>, without blocking a thread while the listener gets there.
    /// </summary>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the flush still happens when the listener gets there.</param>
    /// <returns>As <see cref="Flush"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled before the
    /// flush completes.</exception>
    public Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        FlushCore(timeout, synchronously: false, cancellationToken).AsTask();

    /// <summary>The one body of <see cref="Flush"/> and <see cref="FlushAsync"/>: <paramref name="synchronously"/>
    /// only chooses how to wait for the marker.</summary>
    ValueTask<bool> FlushCore(TimeSpan timeout, bool synchronously, CancellationToken cancellationToken)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        if (!_runState.CanFlush(out var exited)) return new ValueTask<bool>(FlushWhileNotRunning());

        return synchronously
            ? new ValueTask<bool>(MarkerWaiting.Wait(_flushes.Request(), exited, timeout))
            : new ValueTask<bool>(MarkerWaiting.WaitAsync(_flushes.Request(), exited, timeout, cancellationToken));
    }

    /// <summary>
    /// Put the sentinel into the queue. The listener thread ends when it takes the sentinel off the queue, after
    /// every event enqueued before it. Called once per <see cref="Stop()"/> of a running listener.
    /// </summary>
    /// <remarks>
    /// An override must still get a sentinel into the queue by calling the base method, on the calling thread (the
    /// sentinel is stamped with the run it stops, and whether disposal sent it); otherwise <see cref="Stop()"/> waits
    /// until its timeout. The sentinel never waits for room and is never dropped. When the override throws, the
    /// failure is reported and a plain sentinel is sent instead.
    /// </remarks>
    protected virtual void EnqueueSentinel()
    {
        _queue.EnqueueMarker(_runState.NewSentinel());
    }

    /// <summary>
    /// Turn a dequeued event into the one the sinks receive. Runs on the listener thread, once per event, before
    /// the sinks. The default returns <paramref name="logEvent"/> itself, unless <c>WriteTo.Queue</c> was given
    /// <c>prepare</c> enrichers: then it returns an enriched copy.
    /// </summary>
    /// <remarks>
    /// An override should return a copy rather than change <paramref name="logEvent"/>: sinks outside the queue may
    /// be writing the same event on other threads. An exception, or a <see langword="null"/> result, is reported to
    /// the failure listener as <see cref="LoggingFailureKind.Temporary"/>, and the sinks receive the event
    /// unprepared.
    /// </remarks>
    /// <param name="logEvent">The event as it was enqueued.</param>
    /// <returns>The event to write.</returns>
    protected virtual LogEvent Prepare(LogEvent logEvent)
    {
        return Preparation is { } preparation ? preparation.Prepare(logEvent) : logEvent;
    }

    /// <summary>
    /// Handle one event: <see cref="Prepare"/> it, then write it to each sink in order, each in its own try/catch so
    /// that a failing sink neither keeps the event from the others nor stops the listener.
    /// </summary>
    /// <param name="logEvent">The event as it was enqueued.</param>
    protected virtual void Handle(LogEvent logEvent)
    {
        LogEvent prepared;
        try
        {
            prepared = Prepare(logEvent) ?? throw new InvalidOperationException("Prepare returned null.");
        }
        catch (Exception ex)
        {
            _failureListener.Report(this, LoggingFailureKind.Temporary,
                "failed preparing an event; the sinks receive it unprepared", [logEvent], ex);
            prepared = logEvent;
        }

        if (_levelAware is { } levelAware) levelAware.Emit(prepared);
        else _sinks.Emit(prepared);
    }

    /// <summary>Whether handling an event is only writing it to the sinks: nothing overrides <see cref="Handle"/> or
    /// <see cref="Prepare"/>, and there is no <see cref="Preparation"/>. Then the listener thread hands each event to
    /// the sinks directly, which saves it a delegate call and two calls, and a frame, per event. Read as each run
    /// starts, after configuration. Holding events or flushing at a level takes the longer path too.</summary>
    internal bool HandlesByWritingOnly => _handlesByDefault && Preparation is null && _levelAware is null;

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

    /// <summary>When failures went to no listener of the application's own, sum them up on standard error (see
    /// <see cref="StandardErrorReports"/>): at the end of the listener's disposal, or of its owning sink's, which
    /// passes its failure listener on to it.</summary>
    internal void SummarizeFailures()
    {
        if (ReferenceEquals(_failureListener, SelfLog.FailureListener))
        {
            StandardErrorReports.Summarize(Name, HandledCount, SinkFailureCount, DroppedCountOrZero());
        }
    }

    /// <summary>The queue's drop count, or zero from a user's queue that cannot say.</summary>
    long DroppedCountOrZero()
    {
        try
        {
            return _queue.DroppedCount;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    /// <inheritdoc cref="ListenerShutdown.Shutdown"/>
    internal bool Shutdown(TimeSpan timeout) => _shutdown.Shutdown(timeout);

    /// <inheritdoc cref="ListenerShutdown.Shutdown"/>
    internal Task<bool> ShutdownAsync(TimeSpan timeout) => _shutdown.ShutdownAsync(timeout);

    /// <inheritdoc cref="LeftoverReclaimer.Reclaim"/>
    internal void ReclaimLeftovers(string reason) => _reclaimer.Reclaim(reason);

}
