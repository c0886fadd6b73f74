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
/// listener can be started again. <see cref="Dispose"/> stops it and disposes the wrapped sinks; that is final.</para>
/// <para>Failures never stop the listener: an exception from <see cref="Prepare"/>, from a sink, or from an override
/// of <see cref="Handle"/> is reported to the failure listener (<see cref="SelfLog.FailureListener"/> unless one is
/// set) with the event, and the listener goes on with the next event.</para>
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

    /// <summary>How many events the listener claims from the queue at once.</summary>
    const int BatchSize = 512;

    /// <summary>How long <see cref="ReclaimLeftovers"/> waits, in <see cref="SpinWait"/> turns, for reserved
    /// slots to be written.</summary>
    const int ReservedSlotSpinLimit = 200;

    /// <summary>How long a shutdown that abandoned the listener thread waits for it to end, so that it can dispose
    /// the sinks itself; see <see cref="Shutdown"/>.</summary>
    static readonly TimeSpan AbandonedExitGrace = TimeSpan.FromMilliseconds(100);

    readonly ILogEventQueue _queue;
    readonly ILogEventSink[] _sinks;

    /// <summary>How to flush each sink, by index into <see cref="_sinks"/>; <see langword="null"/> for a sink that
    /// cannot be flushed. Found once, at construction (see <see cref="SinkFlushing"/>).</summary>
    readonly Action?[] _flushers;

    /// <summary>Guards the lifecycle fields below. Never held while user code (sinks, overrides) runs.</summary>
    readonly object _stateSync = new();

    /// <summary>The running listener thread, or <see langword="null"/>. Cleared by the thread itself as it ends.
    /// Under <see cref="_stateSync"/>.</summary>
    Thread? _thread;

    /// <summary>Completed by the current run's thread as it ends; awaited by asynchronous disposal. Under
    /// <see cref="_stateSync"/>.</summary>
    TaskCompletionSource<bool> _exited = NewCompletion();

    /// <summary>A sentinel has been sent for the current run. Under <see cref="_stateSync"/>.</summary>
    bool _stopping;

    /// <summary>Set once by disposal; <see cref="Start"/> refuses afterwards. Under <see cref="_stateSync"/>.</summary>
    bool _disposed;

    /// <summary>
    /// Set by a shutdown that abandoned the listener thread while it still ran: the thread disposes the sinks as it
    /// ends, because it is stuck in one of them, which may hold a lock its own <c>Dispose</c> needs. Under
    /// <see cref="_stateSync"/>, which is also where the thread clears <see cref="_thread"/>, so exactly one of the
    /// two disposes the sinks.
    /// </summary>
    bool _disposeSinksOnExit;

    /// <summary>
    /// Set when a shutdown gave up waiting for the drain. Read by the listener thread before each event: from then
    /// on it reports what it still holds instead of handling it. Volatile, because it is read without the lock.
    /// </summary>
    volatile bool _abandoned;

    /// <summary>
    /// The size of the batch the listener thread is handling, and the index of the next event in it. Written by the
    /// listener thread only; read without synchronisation by an abandoning shutdown, for a count it reports. A stale
    /// read only makes that count approximate: the events themselves are reported by the listener thread.
    /// </summary>
    int _batchCount;
    int _batchNext;

    /// <summary>
    /// The number of events handled. Written by the listener thread only, once per event, with a plain increment
    /// published by a volatile write (no interlocked operation is needed with a single writer); read by any thread
    /// with a volatile read, which is atomic for a long even on 32-bit platforms.
    /// </summary>
    long _handledCount;

    /// <summary>Times a sink failed on an event; written by the listener thread only, like
    /// <see cref="_handledCount"/>.</summary>
    long _sinkFailureCount;

    /// <summary>Numbers the default names.</summary>
    static int _lastNameNumber;

    string _name = "queue-" + Interlocked.Increment(ref _lastNameNumber).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The <c>queue.name</c> tag of <see cref="Name"/>, made when the thread starts, under
    /// <see cref="_stateSync"/>; read by the listener thread, to which starting it publishes the tag, and by metric
    /// collections (see <see cref="NameTag"/>).</summary>
    KeyValuePair<string, object?> _nameTag;

    /// <summary>Serialises <see cref="ReclaimLeftovers"/> between disposal and late producers.</summary>
    readonly object _reclaimSync = new();

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
        _sinks = sinks?.ToArray() ?? throw new ArgumentNullException(nameof(sinks));
        if (Array.IndexOf(_sinks, null) >= 0)
        {
            throw new ArgumentException("The sinks must not contain null.", nameof(sinks));
        }

        _flushers = Array.ConvertAll(_sinks, SinkFlushing.Find);
    }

    /// <summary>
    /// The queue the listener takes events from.
    /// </summary>
    public ILogEventQueue Queue => _queue;

    /// <summary>
    /// <see langword="true"/> from <see cref="Start"/> until the listener thread has ended.
    /// </summary>
    public bool IsRunning
    {
        get
        {
            lock (_stateSync) return _thread is not null;
        }
    }

    /// <summary>
    /// <see langword="true"/> once the listener thread will take nothing more off the queue: it has ended, or it was
    /// abandoned by a shutdown that timed out. Only then may another party reclaim what is left in the queue.
    /// </summary>
    internal bool HasStoppedConsuming => _abandoned || !IsRunning;

    /// <summary>
    /// The number of events the listener has handled: taken off the queue, prepared and written to every sink
    /// (whether or not a sink failed on it). Events reported as not written at shutdown are not counted.
    /// </summary>
    public long HandledCount => Volatile.Read(ref _handledCount);

    /// <summary>The <c>queue.name</c> tag this run reports under. Its key never changes, so a read racing a restart
    /// sees either name, never a mix.</summary>
    internal KeyValuePair<string, object?> NameTag => _nameTag;

    /// <summary>Times a sink (or an override of <see cref="Handle"/>) failed on an event.</summary>
    internal long SinkFailureCount => Volatile.Read(ref _sinkFailureCount);

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
    /// Start the listener thread.
    /// </summary>
    /// <returns>This listener, so that <c>using var listener = new QueueListener(queue, sink).Start();</c>
    /// works.</returns>
    /// <exception cref="InvalidOperationException">When the listener is running (or still stopping).</exception>
    /// <exception cref="ObjectDisposedException">When the listener has been disposed.</exception>
    public QueueListener Start()
    {
        lock (_stateSync)
        {
            if (_disposed) throw new ObjectDisposedException(GetType().FullName);
            if (_thread is not null)
            {
                throw new InvalidOperationException("The listener is already running; stop it before starting it again.");
            }

            // Observed from here until the thread ends (it unregisters under this lock, so a restart cannot cross
            // it) or, should the thread never start, until disposal.
            _nameTag = QueueMetrics.TagFor(Name);
            QueueMetrics.Register(this);

            var thread = new Thread(Run) { IsBackground = true, Name = "Serilog.Sinks.QueueListener" };
            var exited = NewCompletion();

            // The listener thread outlives whatever scope started it; it must not carry that scope's
            // AsyncLocals (LogContext among them) into every event it handles. SuppressFlow throws when flow is
            // suppressed already, which is just as good.
            if (ExecutionContext.IsFlowSuppressed())
            {
                thread.Start(exited);
            }
            else
            {
                using (ExecutionContext.SuppressFlow())
                {
                    thread.Start(exited);
                }
            }

            _thread = thread;
            _exited = exited;
            _stopping = false;
        }

        return this;
    }

    /// <summary>
    /// Stop the listener: send the sentinel and wait, without limit, until every event enqueued before this call
    /// has been handled and the thread has ended. Does nothing when the listener is not running.
    /// </summary>
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
    public bool Stop(TimeSpan timeout)
    {
        var thread = BeginStop(timeout);
        if (thread is null) return true;
        if (thread == Thread.CurrentThread) return false;
        return thread.Join(timeout);
    }

    /// <summary>
    /// Wait until every event enqueued before this call has been written to every sink, and the sinks that can be
    /// flushed have been, or the timeout passes.
    /// </summary>
    /// <remarks>
    /// A flush marker goes through the queue behind the events; when the listener reaches it, it calls
    /// <c>FlushToDisk()</c> on each sink that has one (Serilog.Sinks.File's sinks do), then completes the flush. A
    /// flush that times out leaves its marker behind: the sinks are still flushed when the listener gets there.
    /// </remarks>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <returns><see langword="true"/> when everything enqueued before the call has been written and flushed;
    /// <see langword="false"/> when the timeout passed first, a sink failed to flush (the failure is reported), the
    /// listener is not running or is stopping, or the call was made on the listener thread itself, from a sink, where
    /// waiting would deadlock.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// infinite.</exception>
    public bool Flush(TimeSpan timeout)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        return TryBeginFlush(out var reached, out var exited) && MarkerWaiting.Wait(reached, exited, timeout);
    }

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
    public Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        return TryBeginFlush(out var reached, out var exited)
            ? MarkerWaiting.WaitAsync(reached, exited, timeout, cancellationToken)
            : Task.FromResult(false);
    }

    /// <summary>
    /// Put the sentinel into the queue. The listener thread ends when it takes the sentinel off the queue, after
    /// every event enqueued before it. Called once per <see cref="Stop()"/> of a running listener.
    /// </summary>
    /// <remarks>
    /// An override must still get a sentinel into the queue, most simply by calling the base method; otherwise
    /// <see cref="Stop()"/> waits until its timeout. The sentinel never waits for room and is never dropped.
    /// </remarks>
    protected virtual void EnqueueSentinel()
    {
        _queue.EnqueueMarker(new QueueMarker(QueueMarkerKind.Sentinel));
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

        foreach (var sink in _sinks)
        {
            try
            {
                sink.Emit(prepared);
            }
            catch (Exception ex)
            {
                CountSinkFailure();
                _failureListener.Report(this, LoggingFailureKind.Permanent,
                    $"failed emitting an event to the sink {sink}", [prepared], ex);
            }
        }
    }

    /// <summary>
    /// Set the failure listener, and pass it on to the wrapped sinks that accept one.
    /// </summary>
    /// <param name="failureListener">The listener to report failures to.</param>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
        foreach (var sink in _sinks)
        {
            if (sink is ISetLoggingFailureListener accepting) accepting.SetFailureListener(failureListener);
        }
    }

    /// <summary>
    /// Stop the listener, waiting without limit for the drain, then dispose the wrapped sinks. Final: a disposed
    /// listener cannot be started again. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        Shutdown(Timeout.InfiniteTimeSpan);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stop the listener, waiting without limit and without blocking a thread for the drain, then dispose the
    /// wrapped sinks (asynchronously where they support it). Final, like <see cref="Dispose"/>.
    /// </summary>
    /// <returns>A task that completes when the sinks are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stop within <paramref name="timeout"/>, then dispose the sinks. When the drain does not finish in time, the
    /// listener thread is abandoned: it reports what it still holds instead of handling it, and what is left in the
    /// queue is reclaimed and reported here. A thread that was merely behind (a short timeout, a long backlog) sees
    /// that before its next event and ends at once, so the shutdown gives it <see cref="AbandonedExitGrace"/> and then
    /// disposes the sinks itself, flushed before this returns, as after a drain. A thread still stuck in a sink after
    /// that disposes the sinks itself once the sink returns: disposing them here could wait forever on a lock that
    /// sink holds.
    /// </summary>
    /// <returns><see langword="true"/> when everything was drained in time.</returns>
    internal bool Shutdown(TimeSpan timeout)
    {
        if (!TryMarkDisposed()) return true;

        var drained = Stop(timeout);
        if (!drained)
        {
            Abandon(timeout);
            Stop(AbandonedExitGrace);
        }

        QueueMetrics.Unregister(this);
        if (drained || !LeaveSinkDisposalToListenerThread()) DisposeSinks();
        return drained;
    }

    /// <inheritdoc cref="Shutdown"/>
    internal async Task<bool> ShutdownAsync(TimeSpan timeout)
    {
        if (!TryMarkDisposed()) return true;

        var drained = await StopAsync(timeout).ConfigureAwait(false);
        if (!drained)
        {
            Abandon(timeout);
            await StopAsync(AbandonedExitGrace).ConfigureAwait(false);
        }

        QueueMetrics.Unregister(this);
        if (drained || !LeaveSinkDisposalToListenerThread()) await DisposeSinksAsync().ConfigureAwait(false);
        return drained;
    }

    /// <summary>
    /// Take whatever is still in the queue and report it as <see cref="LoggingFailureKind.Final"/>: used after the
    /// listener has stopped for good, for events that arrived too late or that an abandoned drain left behind.
    /// </summary>
    /// <param name="reason">Why the events will not be written, for the report.</param>
    internal void ReclaimLeftovers(string reason)
    {
        lock (_reclaimSync)
        {
            var leftovers = new List<LogEvent>();
            var batch = new LogEvent[BatchSize];
            var spinner = new SpinWait();
            var tookSentinel = false;
            while (true)
            {
                int count;
                QueueMarker? marker;
                try
                {
                    count = _queue.TryDequeue(batch, out marker);
                }
                catch (Exception ex)
                {
                    _failureListener.Report(this, LoggingFailureKind.Final, "failed reclaiming queued events", null, ex);
                    break;
                }

                if (count > 0)
                {
                    leftovers.AddRange(batch.Take(count));
                    Array.Clear(batch, 0, count);
                }
                else if (marker is not null)
                {
                    marker.Reached.TrySetResult(false);
                    tookSentinel |= marker.Kind == QueueMarkerKind.Sentinel;
                }
                else if (_queue.Count > 0 && spinner.Count < ReservedSlotSpinLimit)
                {
                    // A producer has reserved a slot but not yet written it: two stores away, unless its thread was
                    // descheduled in between, so allow for a few scheduler quanta before giving up on it.
                    spinner.SpinOnce();
                }
                else
                {
                    break;
                }
            }

            if (leftovers.Count > 0)
            {
                _failureListener.Report(this, LoggingFailureKind.Final,
                    $"{reason}; {leftovers.Count} queued events were not written", leftovers);
            }

            if (tookSentinel && IsRunning) PutBackSentinel();
        }
    }

    /// <summary>
    /// Give an abandoned listener thread, stuck in a sink, a sentinel to end on once it gets free: without one it
    /// would find the queue empty and park for good: a thread leaked for every shutdown that timed out, and the sinks
    /// never disposed (see <see cref="_disposeSinksOnExit"/>). Each reclaim that takes the sentinel puts one back, and
    /// reclaims are serialised, so the last sentinel put back stays for the thread; the queue's own wake-up protocol
    /// then makes sure a parked thread sees it. A thread that ends meanwhile leaves a marker in a queue nobody reads
    /// any more.
    /// </summary>
    void PutBackSentinel()
    {
        try
        {
            _queue.EnqueueMarker(new QueueMarker(QueueMarkerKind.Sentinel));
        }
        catch (Exception ex)
        {
            _failureListener.Report(this, LoggingFailureKind.Final,
                "failed putting back the sentinel for an abandoned listener thread", null, ex);
        }
    }

    bool TryMarkDisposed()
    {
        lock (_stateSync)
        {
            if (_disposed) return false;
            _disposed = true;
            return true;
        }
    }

    /// <returns><see langword="true"/> when the abandoned listener thread still runs and will dispose the sinks
    /// as it ends; <see langword="false"/> when it has ended, and the caller must.</returns>
    bool LeaveSinkDisposalToListenerThread()
    {
        lock (_stateSync)
        {
            if (_thread is null) return false;
            _disposeSinksOnExit = true;
            return true;
        }
    }

    void Abandon(TimeSpan timeout)
    {
        _abandoned = true;
        bool onListenerThread;
        lock (_stateSync)
        {
            onListenerThread = _thread == Thread.CurrentThread;
        }

        // Disposed from one of its own sinks, the listener gave up on the drain without waiting (the timeout may be
        // infinite), and it reports the rest of its batch itself as soon as that sink returns.
        var reason = onListenerThread
            ? "the listener was disposed from one of its own sinks"
            : $"the listener did not drain the queue within {timeout}";
        ReclaimLeftovers(reason);
        if (onListenerThread) return;

        var held = Volatile.Read(ref _batchCount) - Volatile.Read(ref _batchNext);
        if (held > 0)
        {
            _failureListener.Report(this, LoggingFailureKind.Final,
                $"{reason}; {held} events taken by the listener thread, which is stuck in a sink, were not written " +
                "(the thread reports them with the events if the sink returns)", null);
        }
    }

    /// <summary>
    /// Send the sentinel if this run has none yet.
    /// </summary>
    /// <returns>The thread to wait for, or <see langword="null"/> when the listener is not running.</returns>
    Thread? BeginStop(TimeSpan timeout)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));

        Thread? thread;
        bool sendSentinel;
        lock (_stateSync)
        {
            thread = _thread;
            if (thread is null) return null;
            sendSentinel = !_stopping;
            _stopping = true;
        }

        if (sendSentinel)
        {
            try
            {
                EnqueueSentinel();
            }
            catch
            {
                lock (_stateSync)
                {
                    if (_thread == thread) _stopping = false;
                }

                throw;
            }
        }

        return thread;
    }

    /// <summary>
    /// Send a flush marker, unless the listener cannot reach it: not running, stopping (the marker would stand behind
    /// the sentinel), disposed, or this is the listener thread, which would wait for itself.
    /// </summary>
    bool TryBeginFlush(out Task<bool> reached, out Task exited)
    {
        lock (_stateSync)
        {
            if (_disposed || _stopping || _thread is null || _thread == Thread.CurrentThread)
            {
                reached = Task.FromResult(false);
                exited = Task.CompletedTask;
                return false;
            }

            exited = _exited.Task;
        }

        // Outside the lock: the queue may be a user's implementation. A stop that slips in between sends its
        // sentinel ahead of this marker; then the thread ends without reaching it, which the wait notices.
        var marker = new QueueMarker(QueueMarkerKind.Flush);
        _queue.EnqueueMarker(marker);
        reached = marker.Reached.Task;
        return true;
    }

    async Task<bool> StopAsync(TimeSpan timeout)
    {
        var thread = BeginStop(timeout);
        if (thread is null) return true;
        if (thread == Thread.CurrentThread) return false;

        Task exited;
        lock (_stateSync)
        {
            exited = _exited.Task;
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await exited.ConfigureAwait(false);
            return true;
        }

        using var delayCancellation = new CancellationTokenSource();
        var first = await Task.WhenAny(exited, Task.Delay(timeout, delayCancellation.Token)).ConfigureAwait(false);
        delayCancellation.Cancel();
        return first == exited;
    }

    void Run(object? state)
    {
        var exited = (TaskCompletionSource<bool>)state!;
        try
        {
            RunLoop();
        }
        finally
        {
            bool disposeSinks;
            lock (_stateSync)
            {
                QueueMetrics.Unregister(this);
                if (_thread == Thread.CurrentThread) _thread = null;
                disposeSinks = _disposeSinksOnExit;
            }

            if (disposeSinks) DisposeSinks();
            exited.TrySetResult(true);
        }
    }

    void RunLoop()
    {
        var batch = new LogEvent[BatchSize];
        while (true)
        {
            int count;
            QueueMarker? marker;
            try
            {
                count = _queue.TryDequeue(batch, out marker);
                if (count == 0 && marker is null)
                {
                    _queue.WaitToDequeue(Timeout.InfiniteTimeSpan);
                    continue;
                }
            }
            catch (Exception ex)
            {
                _failureListener.Report(this, LoggingFailureKind.Final, "the queue failed; the listener stops", null, ex);
                return;
            }

            if (count > 0)
            {
                if (!HandleBatch(batch, count)) return;
            }
            else if (ReachMarker(marker!))
            {
                return;
            }
        }
    }

    /// <returns><see langword="false"/> when the listener was abandoned and must end.</returns>
    bool HandleBatch(LogEvent[] batch, int count)
    {
        _batchCount = count;
        for (var i = 0; i < count; i++)
        {
            Volatile.Write(ref _batchNext, i + 1);
            if (_abandoned)
            {
                var rest = batch.Skip(i).Take(count - i).ToList();
                Array.Clear(batch, 0, count);
                _failureListener.Report(this, LoggingFailureKind.Final,
                    $"the listener was abandoned at shutdown; {rest.Count} dequeued events were not written", rest);
                return false;
            }

            var logEvent = batch[i];
            batch[i] = null!;
            try
            {
                Handle(logEvent);
            }
            catch (Exception ex)
            {
                CountSinkFailure();
                _failureListener.Report(this, LoggingFailureKind.Permanent, "failed handling an event", [logEvent], ex);
            }

            Volatile.Write(ref _handledCount, _handledCount + 1);
            if (QueueMetrics.Latency.Enabled) QueueMetrics.RecordLatency(logEvent.Timestamp, _nameTag);
        }

        return true;
    }

    /// <summary>On the failure path only; the listener thread is the only writer (see <see cref="_handledCount"/>).</summary>
    void CountSinkFailure() => Volatile.Write(ref _sinkFailureCount, _sinkFailureCount + 1);

    /// <returns><see langword="true"/> when the marker is the sentinel and the listener must end.</returns>
    bool ReachMarker(QueueMarker marker)
    {
        var flushed = marker.Kind != QueueMarkerKind.Flush || FlushSinks();
        marker.Reached.TrySetResult(flushed);
        return marker.Kind == QueueMarkerKind.Sentinel;
    }

    /// <returns><see langword="false"/> when a sink failed to flush.</returns>
    bool FlushSinks()
    {
        var flushed = true;
        for (var i = 0; i < _sinks.Length; i++)
        {
            try
            {
                _flushers[i]?.Invoke();
            }
            catch (Exception ex)
            {
                flushed = false;
                _failureListener.Report(this, LoggingFailureKind.Temporary, $"failed flushing the sink {_sinks[i]}", null, ex);
            }
        }

        return flushed;
    }

    void DisposeSinks()
    {
        foreach (var sink in _sinks)
        {
            try
            {
                (sink as IDisposable)?.Dispose();
            }
            catch (Exception ex)
            {
                ReportDisposeFailure(sink, ex);
            }
        }
    }

    async Task DisposeSinksAsync()
    {
        foreach (var sink in _sinks)
        {
            try
            {
                if (sink is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    (sink as IDisposable)?.Dispose();
                }
            }
            catch (Exception ex)
            {
                ReportDisposeFailure(sink, ex);
            }
        }
    }

    void ReportDisposeFailure(ILogEventSink sink, Exception exception)
    {
        _failureListener.Report(this, LoggingFailureKind.Permanent, $"failed disposing the sink {sink}", null, exception);
    }

    static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
