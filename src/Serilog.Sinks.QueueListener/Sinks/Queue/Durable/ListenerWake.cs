using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// How the listener of a <see cref="DurableLogEventQueue"/> waits for records, and how producers wake it without a
/// system call per event: the in-memory queue's policy (<see cref="ListenerParking"/>), a watch, then naps a
/// producer never pays for, then a sleep only the first producer after a lull ends.
/// </summary>
/// <remarks>
/// <para>Why naps: waking a parked thread costs the waker a system call, on a virtual machine tens of microseconds,
/// more than the whole enqueue. At the rates most applications log at the listener empties the spool between
/// events, so a producer that woke it each time would pay that on almost every call. So the listener first watches
/// for <see cref="WatchTicks"/>, then parks for at most <see cref="NapLength"/> at a time, flagged
/// <see cref="Napping"/>, which producers leave alone (an event waits at most a nap), and only after
/// <see cref="SleepAfter"/> without any record sleeps, flagged <see cref="Sleeping"/>, until a producer wakes it.</para>
/// <para>The handshake for a sleep (Dekker's): the listener sets <see cref="_waiting"/> with an interlocked exchange
/// (a full fence), then looks at the spool again before it sleeps; a producer commits its record, then passes a full
/// fence (its interlocked count), then reads the flag. So either the listener sees the record, or the producer sees
/// the flag and wakes it. A wake-up nobody waits for only cuts the next wait short, after which the listener looks
/// again: harmless, so the semaphore's count is merely kept small.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
sealed class ListenerWake
{
    const int Awake = 0;
    const int Napping = 1;
    const int Sleeping = 2;

    /// <summary>How long the listener yields and watches for a record before it parks: 20 µs.</summary>
    static readonly long WatchTicks = Stopwatch.Frequency / 50_000;

    /// <summary>The longest nap: the most a record waits for a napping listener.</summary>
    static readonly TimeSpan NapLength = TimeSpan.FromMilliseconds(1);

    /// <summary>How long the listener naps without finding a record before it sleeps: 20 ms.</summary>
    static readonly long SleepAfter = Stopwatch.Frequency / 50;

    readonly SemaphoreSlim _signal = new(0);

    /// <summary><see cref="Awake"/>, <see cref="Napping"/> or <see cref="Sleeping"/>; written by the listener, and
    /// set to <see cref="Awake"/> by the producer that wakes a sleeping one.</summary>
    int _waiting;

    /// <summary>When the listener's time without records began: its first park after it last read one. The
    /// listener's only, as is <see cref="_readWhenParked"/>.</summary>
    long _idleSince;

    /// <summary>How many records the listener had read when it last parked: a different count at the next park means
    /// it read some in between (found by its own dequeue, after a nap), and its time without records starts
    /// again.</summary>
    long _readWhenParked = -1;

    /// <summary>Called by a producer after its record's commit and a full fence.</summary>
    public void AfterCommit()
    {
        if (Volatile.Read(ref _waiting) == Sleeping && Interlocked.CompareExchange(ref _waiting, Awake, Sleeping) == Sleeping) Wake();
    }

    /// <summary>Make the listener's current or next wait return (a marker, an end of the run).</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Wait until <paramref name="hasSomething"/> or the timeout passes; may return
    /// <see langword="false"/> early, after a nap.</summary>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="hasSomething">Whether the listener has something to read.</param>
    /// <param name="read">How many records the listener has read so far.</param>
    public bool Wait(TimeSpan timeout, Func<bool> hasSomething, long read)
    {
        if (Watch(timeout, hasSomething)) return true;

        var now = Stopwatch.GetTimestamp();
        if (read != _readWhenParked)
        {
            _readWhenParked = read;
            _idleSince = now;
        }

        var sleeping = now - _idleSince >= SleepAfter;
        var wait = sleeping || (timeout != Timeout.InfiniteTimeSpan && timeout < NapLength) ? timeout : NapLength;

        Interlocked.Exchange(ref _waiting, sleeping ? Sleeping : Napping);
        if (hasSomething())
        {
            Volatile.Write(ref _waiting, Awake);
            return true;
        }

        try
        {
            _signal.Wait(wait);
        }
        finally
        {
            Volatile.Write(ref _waiting, Awake);
        }

        return hasSomething();
    }

    /// <summary>Yield and watch for a record a few microseconds away, leaving the core to the producers.</summary>
    static bool Watch(TimeSpan timeout, Func<bool> hasSomething)
    {
        if (hasSomething()) return true;
        var until = Stopwatch.GetTimestamp() + (timeout == Timeout.InfiniteTimeSpan
            ? WatchTicks
            : Math.Min(WatchTicks, (long)(timeout.TotalSeconds * Stopwatch.Frequency)));
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.Yield();
            if (hasSomething()) return true;
        }

        return false;
    }
}
