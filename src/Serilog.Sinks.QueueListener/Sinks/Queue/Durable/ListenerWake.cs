namespace Serilog.Sinks.Queue;

/// <summary>
/// How the listener of a <see cref="DurableLogEventQueue"/> waits for records, and how producers wake it without a
/// system call per event: only a producer that finds the listener waiting signals it.
/// </summary>
/// <remarks>
/// The handshake (Dekker's): the listener sets <see cref="_waiting"/> with an interlocked exchange (a full fence),
/// then looks at the spool again before it sleeps; a producer commits its record, then passes a full fence (its
/// interlocked count), then reads the flag. So either the listener sees the record, or the producer sees the flag
/// and wakes it. A wake-up nobody waits for only cuts the next wait short, after which the listener looks again:
/// harmless, so the semaphore's count is merely kept small.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001",
    Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
sealed class ListenerWake
{
    readonly SemaphoreSlim _signal = new(0);

    /// <summary>1 while the listener waits; written by the listener, and cleared by the producer that wakes it.</summary>
    int _waiting;

    /// <summary>Called by a producer after its record's commit and a full fence.</summary>
    public void AfterCommit()
    {
        if (Volatile.Read(ref _waiting) != 0 && Interlocked.Exchange(ref _waiting, 0) == 1) Wake();
    }

    /// <summary>Make the listener's current or next wait return (a marker, an end of the run).</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    /// <summary>Wait until <paramref name="hasSomething"/> or the timeout passes.</summary>
    public bool Wait(TimeSpan timeout, Func<bool> hasSomething)
    {
        if (hasSomething()) return true;

        Interlocked.Exchange(ref _waiting, 1);
        if (hasSomething())
        {
            Volatile.Write(ref _waiting, 0);
            return true;
        }

        try
        {
            _signal.Wait(timeout);
        }
        finally
        {
            Volatile.Write(ref _waiting, 0);
        }

        return hasSomething();
    }
}
