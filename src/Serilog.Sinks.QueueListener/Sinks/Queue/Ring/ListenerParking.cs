using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Where the listener of a <see cref="LogEventQueue"/> waits for work once the queue is empty, and when a producer
/// must wake it. Only the slow path lives here: the queue checks <see cref="QueuePositions.ListenerParked"/> itself
/// before calling <see cref="WakeListener"/>.
/// </summary>
/// <remarks>
/// <para>The wake-up policy. Waking a parked thread costs the waker a lock and a system call (and, on a virtual
/// machine, an interrupt between processors): a few microseconds, more than the enqueue itself. At the rates most
/// applications log at (hundreds to tens of thousands of events a second) the listener empties the queue between
/// events, so a producer that woke it on every event would pay that on almost every call. So the listener waits in
/// three steps, and only the last one needs a producer's help:</para>
/// <list type="number">
/// <item>It spins, then yields its core while watching, for a few tens of microseconds: under load the next event
/// is that close, and nobody pays anything.</item>
/// <item>It naps: parks for at most <see cref="NapLength"/>, flagged <see cref="Napping"/>, and wakes by itself.
/// Producers do not signal a napping listener; an event waits at most a nap for it. A listener that keeps finding
/// work when it wakes keeps napping, so at ordinary rates the caller never pays for a wake-up, and the listener
/// spends a wake-up per millisecond, not per event.</item>
/// <item>After <see cref="SleepAfter"/> without any work it sleeps, flagged <see cref="Sleeping"/>, until woken
/// (or the caller's timeout): an idle listener costs nothing, and the first producer after the lull pays the one
/// wake-up that delivers its event at once.</item>
/// </list>
/// <para>Whatever cannot wait for a nap wakes the listener in either state: a marker (a stop, a flush), and a
/// producer that finds the queue full (in Block mode it would otherwise wait for room a nap long).</para>
/// </remarks>
sealed class ListenerParking
{
    /// <summary><see cref="QueuePositions.ListenerParked"/>: awake.</summary>
    public const int Awake = 0;

    /// <summary><see cref="QueuePositions.ListenerParked"/>: parked for a nap, waking by itself.</summary>
    public const int Napping = 1;

    /// <summary><see cref="QueuePositions.ListenerParked"/>: parked until woken.</summary>
    public const int Sleeping = 2;

    /// <summary>How long the listener keeps yielding and watching for work, after its spin: 20 µs.</summary>
    static readonly long YieldBudgetTicks = Stopwatch.Frequency / 50_000;

    /// <summary>The longest nap: the most an event waits for a napping listener, well inside the 5 ms the
    /// project allows delivery at the 99th percentile.</summary>
    static readonly TimeSpan NapLength = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the listener naps without finding work before it sleeps.</summary>
    static readonly long SleepAfter = Stopwatch.Frequency / 50;

    readonly LogEventQueue _queue;

    /// <summary>
    /// Monitor the listener parks on. It sets <see cref="QueuePositions.ListenerParked"/> and checks for work under
    /// it, and a producer pulses under it, so a wake-up cannot fall between the check and the wait.
    /// </summary>
    readonly object _listenerSync = new();

    /// <summary>When the listener's time without work began: when it first parked after its last work. Read and
    /// written by the listener thread only, like the two fields below.</summary>
    long _idleSince = Stopwatch.GetTimestamp();

    /// <summary>Whether a wait has found work since the listener last parked.</summary>
    bool _foundWorkSinceParked;

    /// <summary>The queue's dequeue position when the listener last parked: once it has moved, the listener has
    /// taken events since, also without a wait finding them.</summary>
    long _headWhenParked;

    /// <summary>How many times a thread other than the listener has woken it; interlocked, on the wake-up path
    /// only.</summary>
    long _wakeUps;

    /// <summary>How many times a producer (or a marker, or a shutdown) has woken the listener: what the wake-up
    /// policy keeps low.</summary>
    public long WakeUps => Interlocked.Read(ref _wakeUps);

    /// <param name="queue">The queue whose work the listener waits for.</param>
    public ListenerParking(LogEventQueue queue)
    {
        _queue = queue;
    }

    /// <inheritdoc cref="ILogEventQueue.WaitToDequeue"/>
    public bool WaitForWork(TimeSpan timeout)
    {
        if (Watch(timeout)) return FoundWork();

        // The time without work starts at the first park after the work, not when the work was found: writing it may
        // have taken longer than SleepAfter (a slow sink, a long batch), and a listener that slept as soon as it was
        // done would make the next producer pay for waking it.
        var now = Stopwatch.GetTimestamp();
        var head = _queue.DequeuePosition;
        if (_foundWorkSinceParked || head != _headWhenParked)
        {
            _idleSince = now;
            _headWhenParked = head;
            _foundWorkSinceParked = false;
        }

        var sleeping = now - _idleSince >= SleepAfter;
        var wait = sleeping || (timeout != Timeout.InfiniteTimeSpan && timeout < NapLength) ? timeout : NapLength;

        // The listener thread is ours; an interrupt that reaches it (from a sink, say) only cuts the park short.
        var interrupted = InterruptDeferral.Enter(_listenerSync);
        try
        {
            Interlocked.Exchange(ref _queue.ListenerParked, sleeping ? Sleeping : Napping);

            // Read after the full fence above. A producer reserves its position (a compare-and-swap, also a full
            // fence) before it reads ListenerParked, so either it sees the flag and wakes us, or we see its
            // reservation here. The reservation, not the publication, is what we must look at: the publication is a
            // plain store that may still sit in the producer's store buffer. (A napping listener is not woken by
            // producers at all; it only shortens its nap.)
            if (!interrupted && !_queue.HasReservedWork()) Monitor.Wait(_listenerSync, wait);
        }
        catch (ThreadInterruptedException)
        {
            // Monitor.Wait holds the monitor again when it throws.
        }
        finally
        {
            // A benign race: a producer that saw the flag before this write pulses a monitor nobody waits on.
            Volatile.Write(ref _queue.ListenerParked, Awake);
            Monitor.Exit(_listenerSync);
        }

        return _queue.HasReservedWork() && FoundWork();
    }

    /// <summary>
    /// Wake the listener if it is parked, napping or sleeping. Never cut short by an interrupt: a producer that
    /// cleared the parked flag must pulse, or a sleeping listener would sleep on with nobody left to wake it.
    /// </summary>
    public void WakeListener()
    {
        if (Interlocked.Exchange(ref _queue.ListenerParked, Awake) == Awake) return;

        Interlocked.Increment(ref _wakeUps);
        InterruptDeferral.Pulse(_listenerSync, all: false);
    }

    /// <summary>Spin, then yield while watching, for work that is a few microseconds away.</summary>
    bool Watch(TimeSpan timeout)
    {
        if (BriefSpin.Until(_queue, static queue => queue.HasPublishedWork())) return true;

        // Yielding rather than spinning leaves the core to any other runnable thread, the producers first.
        var yieldUntil = Stopwatch.GetTimestamp() + (timeout == Timeout.InfiniteTimeSpan
            ? YieldBudgetTicks
            : Math.Min(YieldBudgetTicks, (long)(timeout.TotalSeconds * Stopwatch.Frequency)));
        while (Stopwatch.GetTimestamp() < yieldUntil)
        {
            if (_queue.HasPublishedWork()) return true;
            Thread.Yield();
        }

        return false;
    }

    bool FoundWork()
    {
        _foundWorkSinceParked = true;
        return true;
    }
}
