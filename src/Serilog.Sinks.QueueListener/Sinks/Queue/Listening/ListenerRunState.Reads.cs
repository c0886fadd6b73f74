namespace Serilog.Sinks.Queue;

// What other threads read of a listener's lifecycle: its phase as the public face tells it, its run count, whether
// the caller is the listener thread, the completion of the current run, and the two answers made from them (a
// sentinel for the current run, whether a flush can be reached). Under the state's lock, save the volatile reads
// that say so. Why the class is partial is said in ListenerRunState.cs.
sealed partial class ListenerRunState
{
    /// <summary><see langword="true"/> from <see cref="Start"/> until the listener thread has ended.</summary>
    public bool IsRunning => _phase is ListenerPhase.Running or ListenerPhase.Stopping or ListenerPhase.Disposing;

    /// <summary>Whether a run was ever started (disposal starts one to drain a listener never started).</summary>
    public bool HasEverStarted => _runs > 0;

    /// <summary>The number of runs started so far.</summary>
    public int Runs => _runs;

    /// <summary>Where the listener is in its life, as its public face tells it.</summary>
    /// <param name="abandoned">Whether a shutdown gave up on the listener thread.</param>
    public QueueListenerState State(bool abandoned)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            return _phase switch
            {
                ListenerPhase.NotStarted => QueueListenerState.NotStarted,
                ListenerPhase.Running or ListenerPhase.Stopping => QueueListenerState.Running,
                ListenerPhase.Stopped => QueueListenerState.Stopped,
                _ => abandoned ? QueueListenerState.Abandoned : QueueListenerState.Disposed,
            };
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
    /// A sentinel for the current run, stamped final when made by disposal's sender (see the remarks).
    /// </summary>
    public QueueMarker NewSentinel()
    {
        lock (_stateSync)
        {
            AssertInvariants();
            return new QueueMarker(_runs, final: _finalSender == Thread.CurrentThread);
        }
    }

    /// <summary>
    /// Whether a flush marker can be reached: only in Running (in Stopping and Disposing the marker would stand
    /// behind the sentinel), and not from the listener thread, which would wait for itself.
    /// </summary>
    /// <param name="exited">The completion of the run that would reach the marker.</param>
    public bool CanFlush(out Task exited)
    {
        lock (_stateSync)
        {
            AssertInvariants();
            exited = _exited.Task;
            return _phase == ListenerPhase.Running && _thread != Thread.CurrentThread;
        }
    }
}
