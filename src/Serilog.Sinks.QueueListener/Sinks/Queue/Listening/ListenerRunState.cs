using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The lifecycle of a <see cref="QueueListener"/>: its thread, the completion of each run, and whether it is
/// stopping or disposed, all under one small lock that is never held while user code (sinks, overrides) runs.
/// </summary>
/// <remarks>
/// The run that is under way when the listener is disposed, or that disposal starts when none is, is the final run:
/// its thread drains the queue up to the sentinel, then disposes the sinks itself (see
/// <see cref="ListenerLoop"/>), so that a shutdown bounds the drain and the disposal with one wait, and a listener
/// that was stopped, or never started, is still drained. Which run is final is decided under the lock, where the
/// thread also decides, as it ends, whether it must dispose the sinks; so exactly one of the two does.
/// </remarks>
sealed class ListenerRunState
{
    readonly QueueListener _owner;

    /// <summary>Guards the lifecycle fields below. Never held while user code (sinks, overrides) runs.</summary>
    readonly object _stateSync = new();

    /// <summary>The running listener thread, or <see langword="null"/>. Cleared by the thread itself as it ends.
    /// Under <see cref="_stateSync"/>.</summary>
    Thread? _thread;

    /// <summary>Mirrors <c>_thread is not null</c> for lock-free readers on the logging path; a stale read only
    /// delays a report. Written under <see cref="_stateSync"/>.</summary>
    volatile bool _running;

    /// <summary>Set by the first <see cref="Start"/>; read without the lock, like <see cref="_running"/>.</summary>
    volatile bool _everStarted;

    /// <summary>Counts the runs started; under <see cref="_stateSync"/>, read without it.</summary>
    volatile int _runs;

    /// <summary>Completed by the current run's thread as it ends; awaited by asynchronous disposal. Under
    /// <see cref="_stateSync"/>.</summary>
    TaskCompletionSource<bool> _exited = NewCompletion();

    /// <summary>A sentinel has been sent for the current run. Under <see cref="_stateSync"/>.</summary>
    bool _stopping;

    /// <summary>Disposal has begun sending the final sentinel for the current run. Under
    /// <see cref="_stateSync"/>.</summary>
    bool _finalStopping;

    /// <summary>The thread sending the final sentinel: a sentinel made on it is stamped final (see
    /// <see cref="NewSentinel"/>). Under <see cref="_stateSync"/>.</summary>
    Thread? _finalSender;

    /// <summary>Set once by disposal; <see cref="Start"/> refuses afterwards, and the current run is the final
    /// one. Under <see cref="_stateSync"/>.</summary>
    bool _disposed;

    /// <summary>The <c>queue.name</c> tag of the listener's name, made when the thread starts, under
    /// <see cref="_stateSync"/>; read by the listener thread, to which starting it publishes the tag, and by metric
    /// collections (see <see cref="NameTag"/>).</summary>
    KeyValuePair<string, object?> _nameTag;

    /// <summary>What the thread of each run runs, given the run's completion and number as a
    /// <c>(TaskCompletionSource&lt;bool&gt;, int)</c>.</summary>
    ParameterizedThreadStart? _run;

    /// <param name="owner">The listener, registered with the metrics while it runs.</param>
    public ListenerRunState(QueueListener owner)
    {
        _owner = owner;
    }

    /// <summary><see langword="true"/> from <see cref="Start"/> until the listener thread has ended.</summary>
    public bool IsRunning => _running;

    /// <summary>Whether the listener has ever been started.</summary>
    public bool HasEverStarted => _everStarted;

    /// <summary>The number of runs started so far.</summary>
    public int Runs => _runs;

    /// <summary>Where the listener is in its life.</summary>
    /// <param name="abandoned">Whether a shutdown gave up on the listener thread.</param>
    public QueueListenerState State(bool abandoned)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            if (_disposed) return abandoned ? QueueListenerState.Abandoned : QueueListenerState.Disposed;
            if (_thread is not null) return QueueListenerState.Running;
            return _everStarted ? QueueListenerState.Stopped : QueueListenerState.NotStarted;
        }
    }

    /// <summary><see langword="true"/> when called on the running listener thread itself, from a sink.</summary>
    public bool IsListenerThread
    {
        get
        {
            lock (_stateSync)
            {
                AssertInvariants();
                return _thread == Thread.CurrentThread;
            }
        }
    }

    /// <summary>The <c>queue.name</c> tag this run reports under. Its key never changes, so a read racing a restart
    /// sees either name, never a mix.</summary>
    public KeyValuePair<string, object?> NameTag => _nameTag;

    /// <summary>The completion of the current run's thread.</summary>
    public Task Exited
    {
        get
        {
            lock (_stateSync)
            {
                AssertInvariants();
                return _exited.Task;
            }
        }
    }

    /// <summary>
    /// Start a thread that runs <paramref name="run"/>, given the completion it must complete as it ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the listener is running (or still stopping).</exception>
    /// <exception cref="ObjectDisposedException">When the listener has been disposed.</exception>
    public void Start(string name, ParameterizedThreadStart run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            if (_disposed) throw new ObjectDisposedException(_owner.GetType().FullName);
            if (_thread is not null)
            {
                throw new InvalidOperationException(_stopping
                    ? "The listener is still stopping: it stops once it reaches the sentinel; start it again after Stop returns true."
                    : "The listener is already running; stop it before starting it again.");
            }

            _run = run;
            StartThread(name);
        }
    }

    /// <summary>
    /// Mark the listener disposed, making the current run the final one, or starting a final run when none is under
    /// way (its thread drains what the queue holds and disposes the sinks).
    /// </summary>
    /// <returns><see langword="false"/> when the listener was disposed already.</returns>
    public bool TryBeginDispose(string name, ParameterizedThreadStart run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            if (_disposed) return false;
            _disposed = true;
            if (_thread is null)
            {
                _run ??= run;
                StartThread(name);
            }

            return true;
        }
    }

    /// <summary>
    /// Mark the current run as stopping.
    /// </summary>
    /// <param name="final">Whether disposal stops it: disposal sends a sentinel of its own even when the run is
    /// stopping already, since only that one ends the last run (see <see cref="TryEndRun"/>).</param>
    /// <param name="sendSentinel">Whether the caller must send a sentinel.</param>
    /// <param name="run">The run being stopped.</param>
    /// <returns>The thread to wait for, or <see langword="null"/> when the listener is not running.</returns>
    public Thread? BeginStop(bool final, out bool sendSentinel, out int run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            var thread = _thread;
            run = _runs;
            sendSentinel = thread is not null && (final ? !_finalStopping : !_stopping);
            if (thread is null) return null;

            _stopping = true;
            if (final && sendSentinel)
            {
                _finalStopping = true;
                _finalSender = Thread.CurrentThread;
            }

            return thread;
        }
    }

    /// <summary>
    /// A sentinel for the current run, stamped final when disposal is sending it (on this thread).
    /// </summary>
    public QueueMarker NewSentinel()
    {
        lock (_stateSync)
        {
            AssertInvariants();
            var final = _finalSender == Thread.CurrentThread;
            return new QueueMarker(_runs, final);
        }
    }

    /// <summary>
    /// Whether a flush marker can be reached: not when the listener is not running, is stopping (the marker would
    /// stand behind the sentinel), is disposed, or this is the listener thread, which would wait for itself.
    /// </summary>
    /// <param name="exited">The completion of the run that would reach the marker.</param>
    public bool CanFlush(out Task exited)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            exited = _exited.Task;
            return !_disposed && !_stopping && _thread is not null && _thread != Thread.CurrentThread;
        }
    }

    /// <summary>
    /// Called by the listener thread when its loop ends.
    /// </summary>
    /// <param name="atStopSentinel">Whether the loop ended at a sentinel that disposal did not send.</param>
    /// <returns>Whether the run has ended, must go on (disposed meanwhile: the final sentinel is still ahead, or the
    /// loop has been told to end once the queue is empty), or is the final run: the thread must then reclaim what
    /// is left, dispose the sinks, and call <see cref="EndFinalRun"/>.</returns>
    public ListenerRunEnd TryEndRun(bool atStopSentinel)
    {
        EnterOnListenerThread();
        try
        {
            AssertInvariants();
            if (!_disposed)
            {
                EndRunLocked();
                return ListenerRunEnd.Ended;
            }

            return atStopSentinel ? ListenerRunEnd.KeepDraining : ListenerRunEnd.Final;
        }
        finally
        {
            Monitor.Exit(_stateSync);
        }
    }

    /// <summary>Called by the thread of the final run once it has disposed the sinks.</summary>
    public void EndFinalRun()
    {
        EnterOnListenerThread();
        try
        {
            AssertInvariants();
            EndRunLocked();
        }
        finally
        {
            Monitor.Exit(_stateSync);
        }
    }

    /// <summary>
    /// Enter <see cref="_stateSync"/> on the listener thread, not cut short by an interrupt. Other threads take the
    /// lock too (a health check reading <see cref="State"/>, a flush, a stop), so the listener thread may have to wait
    /// for it, and an interrupt that lands there would end the thread with the exception, which takes the process
    /// down. An interrupt of the listener thread only ever cuts a wait short, and here there is none to cut, so it is
    /// dropped rather than raised again at the thread's next wait.
    /// </summary>
    void EnterOnListenerThread() => InterruptDeferral.Enter(_stateSync);

    void StartThread(string name)
    {
        // Observed from here until the thread ends (it unregisters under this lock, so a restart cannot cross it).
        _nameTag = QueueMetrics.TagFor(name);
        QueueMetrics.Register(_owner);

        var thread = new Thread(_run!) { IsBackground = true, Name = "Serilog.Sinks.QueueListener" };
        var exited = NewCompletion();
        _runs++;
        _stopping = false;
        _finalStopping = false;
        _finalSender = null;
        // Counted before the thread starts, so that a flush right after Start waits for it; the thread's run
        // uncounts itself as it ends.
        var counted = _owner.BuiltInQueue;
        counted?.ListenerRunning(true);
        try
        {
            ExecutionContextFlow.Suppressed((thread, run: (exited, _runs)), static s =>
            {
                s.thread.Start(s.run);
                return true;
            });
        }
        catch
        {
            counted?.ListenerRunning(false);
            throw;
        }

        _thread = thread;
        _exited = exited;
        _everStarted = true;
        _running = true;
    }

    void EndRunLocked()
    {
        QueueMetrics.Unregister(_owner);
        if (_thread != Thread.CurrentThread) return;

        _thread = null;
        _running = false;
    }

    /// <summary>
    /// What holds whenever <see cref="_stateSync"/> is taken: every method leaves the fields so before it lets go.
    /// </summary>
    [Conditional("DEBUG")]
    void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_stateSync), "the state is read under its lock");
        Debug.Assert(_running == (_thread is not null), "the lock-free mirror of the thread is up to date");
        Debug.Assert(_thread is null || (_everStarted && _run is not null && _runs > 0), "a running thread was started, with a body");
        Debug.Assert(!_finalStopping || (_disposed && _stopping), "only disposal sends the final sentinel, and that stops the run");
        Debug.Assert(_finalSender is null || _finalStopping, "the thread sending the final sentinel is known only while it is sent");
        Debug.Assert(_everStarted || (_runs == 0 && !_stopping), "nothing is stopping before anything started");
    }

    static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
