using System.Diagnostics;

namespace Serilog.Sinks.Queue;

// One type over two files: this one the state, its transitions and its invariants; ListenerRunState.Reads.cs what
// other threads read of it, under the same lock. A partial class because both halves are one state under one lock,
// which AssertInvariants checks whenever it is taken.

/// <summary>
/// The lifecycle of a <see cref="QueueListener"/>: one <see cref="ListenerPhase"/>, the thread of the current run and
/// its completion, all under one small lock that is never held while user code (sinks, overrides) runs.
/// </summary>
/// <remarks>
/// <para>The transitions, each made under the lock by one method:</para>
/// <list type="table">
/// <item><term><see cref="Start"/></term><description>NotStarted or Stopped → Running, starting a thread. From
/// Running or Stopping it throws (a run is under way), from Disposing or Disposed it throws
/// <see cref="ObjectDisposedException"/>.</description></item>
/// <item><term><see cref="BeginStop"/></term><description>Running → Stopping, and the caller sends the stop
/// sentinel. From Stopping or Disposing the sentinel that ends the run is already on its way, so the caller only
/// waits for the thread; from the other phases there is nothing to stop.</description></item>
/// <item><term><see cref="BeginDispose"/></term><description>Any phase but Disposing and Disposed → Disposing, and the
/// caller sends the final sentinel. A run under way becomes the final run; when none is, a final run is started, so
/// that a listener that was stopped, or never started, is still drained. Disposal sends its own sentinel even when a
/// stop sentinel is on its way: that run, reaching it, must drain on to the final one (see
/// <see cref="TryEndRun"/>).</description></item>
/// <item><term><see cref="TryEndRun"/></term><description>Called by the thread as its loop ends. Running or Stopping
/// → Stopped. In Disposing the run is the final one: the thread goes on to the final sentinel when it stopped at an
/// earlier one, or else reclaims what is left, disposes the sinks and calls <see cref="EndFinalRun"/>: Disposing →
/// Disposed. Which thread disposes the sinks is thus decided under the lock, by the phase the thread finds as it
/// ends: exactly one thread does, and never while another run's thread is alive.</description></item>
/// </list>
/// <para>The final sentinel is told apart from a stop sentinel by the thread that makes it: the sentinel is made by
/// <see cref="QueueListener.EnqueueSentinel"/>, which a subclass may override (it must call the base method on the
/// calling thread), so disposal cannot hand it a flag; it records itself as the final sender instead, and
/// <see cref="NewSentinel"/> stamps final only a sentinel made on that thread. A stop that raced disposal, and
/// makes its sentinel on another thread, still makes a plain one.</para>
/// </remarks>
sealed partial class ListenerRunState
{
    /// <summary>Registered with the metrics while a run is under way, and named when disposed.</summary>
    readonly QueueListener _listener;

    /// <summary>Told of each run's start, so that a flush right after <see cref="Start"/> waits for it.</summary>
    readonly IBuiltInQueue? _builtInQueue;

    /// <summary>Guards the fields below. Never held while user code (sinks, overrides) runs.</summary>
    readonly object _stateSync = new();

    /// <summary>Written under <see cref="_stateSync"/>; read without it by <see cref="IsRunning"/> on the logging
    /// path, where a stale read only delays a report.</summary>
    volatile ListenerPhase _phase;

    /// <summary>The thread of the current run, in Running, Stopping and Disposing; cleared by the thread itself as it
    /// ends.</summary>
    Thread? _thread;

    /// <summary>Counts the runs started; written under <see cref="_stateSync"/>, read without it.</summary>
    volatile int _runs;

    /// <summary>Completed by the current run's thread as it ends; awaited by asynchronous disposal.</summary>
    TaskCompletionSource<bool> _exited = NewCompletion();

    /// <summary>The thread sending disposal's final sentinel (see the remarks), in Disposing only.</summary>
    Thread? _finalSender;

    /// <summary>The <c>queue.name</c> tag of the listener's name, made when a thread starts; read by the listener
    /// thread, to which starting it publishes the tag, and by metric collections (see <see cref="NameTag"/>).</summary>
    KeyValuePair<string, object?> _nameTag;

    /// <param name="listener">The listener, registered with the metrics while it runs.</param>
    /// <param name="builtInQueue">Its queue, when it is the built-in one; see <see cref="IBuiltInQueue"/>.</param>
    public ListenerRunState(QueueListener listener, IBuiltInQueue? builtInQueue)
    {
        _listener = listener;
        _builtInQueue = builtInQueue;
    }

    /// <summary>
    /// NotStarted or Stopped → Running: start a thread that runs <paramref name="run"/>, given the completion it must
    /// complete as it ends and the run's number, as a <c>(TaskCompletionSource&lt;bool&gt;, int)</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">When the listener is running (or still stopping).</exception>
    /// <exception cref="ObjectDisposedException">When the listener has been disposed.</exception>
    public void Start(string name, ParameterizedThreadStart run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            switch (_phase)
            {
                case ListenerPhase.Disposing or ListenerPhase.Disposed:
                    throw new ObjectDisposedException(_listener.GetType().FullName);
                case ListenerPhase.Stopping:
                    throw new InvalidOperationException(
                        "The listener is still stopping: it stops once it reaches the sentinel; start it again after Stop returns true.");
                case ListenerPhase.Running:
                    throw new InvalidOperationException("The listener is already running; stop it before starting it again.");
            }

            StartThread(name, run);
            _phase = ListenerPhase.Running;
            AssertInvariants();
        }
    }

    /// <summary>
    /// Running → Stopping.
    /// </summary>
    /// <param name="sendSentinel">Whether the caller must send the stop sentinel: only the stop that made the
    /// transition does.</param>
    /// <param name="run">The run being stopped.</param>
    /// <returns>The thread to wait for, or <see langword="null"/> when no run is under way.</returns>
    public Thread? BeginStop(out bool sendSentinel, out int run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            run = _runs;
            sendSentinel = _phase == ListenerPhase.Running;
            if (sendSentinel) _phase = ListenerPhase.Stopping;
            AssertInvariants();
            return _thread;
        }
    }

    /// <summary>
    /// Any phase but Disposing and Disposed → Disposing: the run under way becomes the final one, or a final run is
    /// started to drain what the queue holds. The caller, recorded as the final sender, sends the final sentinel.
    /// </summary>
    /// <param name="name">The listener's name, for a final run started here.</param>
    /// <param name="runBody">The thread's body, for a final run started here.</param>
    /// <param name="thread">The thread to wait for; <see langword="null"/> when a final run could not be started
    /// (reported by the caller's caller as a thread start failure), or when disposal had begun already.</param>
    /// <param name="run">The final run.</param>
    /// <returns><see langword="false"/> when disposal had begun already.</returns>
    public bool BeginDispose(string name, ParameterizedThreadStart runBody, out Thread? thread, out int run)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            thread = null;
            run = _runs;
            if (_phase is ListenerPhase.Disposing or ListenerPhase.Disposed) return false;

            if (_thread is null)
            {
                // Disposed even when the thread cannot be started, so that Start refuses from now on.
                _phase = ListenerPhase.Disposed;
                StartThread(name, runBody);
                run = _runs;
            }

            _phase = ListenerPhase.Disposing;
            _finalSender = Thread.CurrentThread;
            thread = _thread;
            AssertInvariants();
            return true;
        }
    }

    /// <summary>
    /// Called by the listener thread when its loop ends: Running or Stopping → Stopped; in Disposing, see the remarks.
    /// </summary>
    /// <param name="atStopSentinel">Whether the loop ended at a sentinel that disposal did not send.</param>
    /// <returns>Whether the run has ended, must go on (the final sentinel is still ahead), or is the final run: the
    /// thread must then reclaim what is left, dispose the sinks, and call <see cref="EndFinalRun"/>.</returns>
    public ListenerRunEnd TryEndRun(bool atStopSentinel)
    {
        EnterOnListenerThread();
        try
        {
            AssertInvariants();
            if (_phase != ListenerPhase.Disposing)
            {
                EndRunLocked(ListenerPhase.Stopped);
                return ListenerRunEnd.Ended;
            }

            return atStopSentinel ? ListenerRunEnd.KeepDraining : ListenerRunEnd.Final;
        }
        finally
        {
            Monitor.Exit(_stateSync);
        }
    }

    /// <summary>Disposing → Disposed: called by the thread of the final run once it has disposed the sinks.</summary>
    public void EndFinalRun()
    {
        EnterOnListenerThread();
        try
        {
            AssertInvariants();
            _finalSender = null;
            EndRunLocked(ListenerPhase.Disposed);
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

    /// <summary>Start the thread of a new run; the caller sets the phase. Leaves everything as it was when the thread
    /// cannot be started.</summary>
    void StartThread(string name, ParameterizedThreadStart run)
    {
        _nameTag = QueueMetrics.TagFor(name);
        var exited = NewCompletion();
        var number = _runs + 1;
        var thread = ListenerThreadStart.Start(run, (exited, number), _listener, _builtInQueue);
        _runs = number;
        _thread = thread;
        _exited = exited;
    }

    void EndRunLocked(ListenerPhase next)
    {
        QueueMetrics.Unregister(_listener);
        Debug.Assert(_thread == Thread.CurrentThread, "only the run's own thread ends it");
        _thread = null;
        _phase = next;
        AssertInvariants();
    }

    /// <summary>
    /// What holds whenever <see cref="_stateSync"/> is taken: every method leaves the fields so before it lets go.
    /// </summary>
    [Conditional("DEBUG")]
    void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_stateSync), "the state is read under its lock");
        var running = _phase is ListenerPhase.Running or ListenerPhase.Stopping or ListenerPhase.Disposing;
        Debug.Assert(running == (_thread is not null), "a thread exactly while a run is under way");
        Debug.Assert(_runs > 0 || _phase is ListenerPhase.NotStarted or ListenerPhase.Disposed, "a phase past NotStarted had a run, unless disposal could not start one");
        Debug.Assert(_finalSender is null || _phase == ListenerPhase.Disposing, "the final sender is known only while the final run is under way");
    }

    static TaskCompletionSource<bool> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
