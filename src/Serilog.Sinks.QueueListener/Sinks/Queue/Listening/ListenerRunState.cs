namespace Serilog.Sinks.Queue;

/// <summary>
/// The lifecycle of a <see cref="QueueListener"/>: its thread, the completion of each run, and whether it is
/// stopping or disposed, all under one small lock that is never held while user code (sinks, overrides) runs.
/// </summary>
sealed class ListenerRunState
{
    readonly QueueListener _owner;

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

    /// <summary>The <c>queue.name</c> tag of the listener's name, made when the thread starts, under
    /// <see cref="_stateSync"/>; read by the listener thread, to which starting it publishes the tag, and by metric
    /// collections (see <see cref="NameTag"/>).</summary>
    KeyValuePair<string, object?> _nameTag;

    /// <param name="owner">The listener, registered with the metrics while it runs.</param>
    public ListenerRunState(QueueListener owner)
    {
        _owner = owner;
    }

    /// <summary><see langword="true"/> from <see cref="Start"/> until the listener thread has ended.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_stateSync) return _thread is not null;
        }
    }

    /// <summary><see langword="true"/> when called on the running listener thread itself, from a sink.</summary>
    public bool IsListenerThread
    {
        get
        {
            lock (_stateSync) return _thread == Thread.CurrentThread;
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
            lock (_stateSync) return _exited.Task;
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
            if (_disposed) throw new ObjectDisposedException(_owner.GetType().FullName);
            if (_thread is not null)
            {
                throw new InvalidOperationException("The listener is already running; stop it before starting it again.");
            }

            // Observed from here until the thread ends (it unregisters under this lock, so a restart cannot cross
            // it) or, should the thread never start, until disposal.
            _nameTag = QueueMetrics.TagFor(name);
            QueueMetrics.Register(_owner);

            var thread = new Thread(run) { IsBackground = true, Name = "Serilog.Sinks.QueueListener" };
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
    }

    /// <summary>
    /// Mark the current run as stopping.
    /// </summary>
    /// <param name="sendSentinel">Whether this is the first stop of the run, which must send the sentinel.</param>
    /// <returns>The thread to wait for, or <see langword="null"/> when the listener is not running.</returns>
    public Thread? BeginStop(out bool sendSentinel)
    {
        lock (_stateSync)
        {
            var thread = _thread;
            sendSentinel = thread is not null && !_stopping;
            if (thread is not null) _stopping = true;
            return thread;
        }
    }

    /// <summary>Undo <see cref="BeginStop"/> when sending the sentinel failed, unless that run has ended.</summary>
    public void CancelStop(Thread thread)
    {
        lock (_stateSync)
        {
            if (_thread == thread) _stopping = false;
        }
    }

    /// <summary>
    /// Send a flush marker, unless the listener cannot reach it: not running, stopping (the marker would stand behind
    /// the sentinel), disposed, or this is the listener thread, which would wait for itself.
    /// </summary>
    public bool TryBeginFlush(out Task<bool> reached, out Task exited)
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
        _owner.Queue.EnqueueMarker(marker);
        reached = marker.Reached.Task;
        return true;
    }

    /// <returns><see langword="false"/> when the listener was disposed already.</returns>
    public bool TryMarkDisposed()
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
    public bool LeaveSinkDisposalToListenerThread()
    {
        lock (_stateSync)
        {
            if (_thread is null) return false;
            _disposeSinksOnExit = true;
            return true;
        }
    }

    /// <summary>
    /// Called by the listener thread as it ends.
    /// </summary>
    /// <returns><see langword="true"/> when the thread must dispose the sinks; see
    /// <see cref="LeaveSinkDisposalToListenerThread"/>.</returns>
    public bool EndRun()
    {
        lock (_stateSync)
        {
            QueueMetrics.Unregister(_owner);
            if (_thread == Thread.CurrentThread) _thread = null;
            return _disposeSinksOnExit;
        }
    }

    static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
