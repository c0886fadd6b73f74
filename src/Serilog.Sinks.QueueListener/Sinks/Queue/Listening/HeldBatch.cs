using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The batch the listener thread has taken off the queue, and which of its events it has begun to handle, so that a
/// shutdown that gives up on the drain can take the rest and report them with the events, exactly once, even while
/// the listener thread is still in a sink, which may never return.
/// </summary>
/// <remarks>
/// <para>The protocol, Dekker's with an asymmetric fence. The listener publishes its progress with a plain store
/// (<see cref="_progress"/>: the batch's size and how many of its events it has claimed) and then reads
/// <see cref="_abandoned"/>; the abandoning thread sets <see cref="_abandoned"/>, calls
/// <c>Interlocked.MemoryBarrierProcessWide</c>, and then reads <see cref="_progress"/>. The process-wide
/// barrier makes the listener thread pass a full fence at some moment during the call. If the listener's read of the
/// flag came before that moment, so did its store of the progress, which is then visible to the abandoner's read,
/// made after the call; if the listener's read came after it, it sees the flag, set before the call. So for every
/// store of the progress, the abandoner sees it, or the listener's next read of the flag sees the flag, or both: the
/// one order the plain store and load may take on their own (the load before the store drains) is the one the barrier
/// rules out. The listener pays a store and a load per event; only a shutdown that abandons it pays for a fence, on
/// every core.</para>
/// <para>Who gets what. The abandoner copies out the events from the progress it read on, and then publishes that
/// progress in <see cref="_taken"/>. A listener that sees the flag after publishing progress <c>p</c> waits for the
/// publication (a few microseconds: the abandoner is past its barrier) and compares: <see cref="_taken"/> equal to
/// <c>p</c> means the abandoner saw this store, and left the event it claims (or the batch it begins) to the
/// listener; anything else is an earlier progress, and the event (or the batch) was not left to it. No other case
/// arises: a listener that does not see the flag after storing <c>p</c> has had <c>p</c> (or a later store) seen by
/// the abandoner, so it never goes on past what the abandoner read by more than the one store it then checks. Each
/// event is therefore handled by the listener or reported by the abandoner, never both, never neither:</para>
/// <list type="bullet">
/// <item><see cref="TryBegin"/> stores the new batch's size with none claimed. Seen, the whole batch is the
/// abandoner's; unseen, the abandoner read the previous batch finished (a batch ends with all its events claimed, and
/// a listener that saw the flag at a claim begins no other batch) or no batch at all, took nothing, and the new batch
/// is the listener thread's to report.</item>
/// <item><see cref="TryClaim"/> stores one more claimed. Seen, the listener handles the event and stops at its next
/// claim; unseen, the event and the rest of the batch are the abandoner's.</item>
/// </list>
/// <para>The abandoner reads the cells it takes before it publishes (and publishes even if the copy fails), and the
/// listener touches no cell it was not given, so the listener may reuse the batch array once it has learned its
/// share. The array's cells are written by
/// the queue before <see cref="TryBegin"/> stores the batch, a volatile write, and the abandoner reads them after its
/// volatile read of <see cref="_progress"/>: it sees them filled.</para>
/// <para>Where the process-wide barrier does not exist (netstandard2.0) the listener passes a full fence of its own
/// between its store and its load, the symmetric form of the same protocol, which costs about what a
/// compare-and-swap per event did.</para>
/// </remarks>
sealed class HeldBatch
{
    /// <summary><see cref="_taken"/> before the abandoner has published.</summary>
    const long NotPublished = -1;

    /// <summary>The batch array; filled by the queue before the batch is published by <see cref="TryBegin"/>, and
    /// read by the abandoning thread only from the first event it takes on, which the listener thread never touches
    /// again.</summary>
    public readonly LogEvent[] Events;

    /// <summary>The event the listener thread is claiming or handling, or <see langword="null"/> between events.
    /// Written by the listener thread, before the claim's store of <see cref="_progress"/>; read by the abandoning
    /// thread after its read of <see cref="_progress"/>.</summary>
    LogEvent? _inFlight;

    /// <summary>The batch's size in the high half, how many of its events the listener has claimed in the low half.
    /// Written by the listener thread only, with volatile writes (atomic for a long, also on 32-bit platforms); read by
    /// the abandoning thread, once, after its barrier.</summary>
    long _progress;

    /// <summary>Set once, by the abandoning thread; read by the listener thread after each store of
    /// <see cref="_progress"/>.</summary>
    volatile int _abandoned;

    /// <summary>The progress the abandoning thread read, and took the events after; <see cref="NotPublished"/>
    /// until then. Written once by the abandoning thread, after it has copied out the events; read by the listener
    /// thread only once it has seen <see cref="_abandoned"/>.</summary>
    long _taken = NotPublished;

    public HeldBatch(int size)
    {
        Events = new LogEvent[size];
    }

    public bool IsAbandoned => _abandoned != 0;

    /// <summary>Publish a batch of <paramref name="count"/> events just taken off the queue into
    /// <see cref="Events"/>.</summary>
    /// <param name="count">The batch's size, at least 1.</param>
    /// <param name="takenByAbandoner">When the listener was abandoned: whether the abandoning thread took the batch
    /// (and reports it), or left it to the listener thread to report.</param>
    /// <returns><see langword="false"/> when the listener was abandoned.</returns>
    public bool TryBegin(int count, out bool takenByAbandoner)
    {
        var begun = Pack(count, 0);
        if (Publish(begun))
        {
            takenByAbandoner = false;
            return true;
        }

        takenByAbandoner = WaitForTaken() == begun;
        return false;
    }

    /// <summary>Claim event <paramref name="index"/> of a batch of <paramref name="count"/>, before handling it;
    /// call <see cref="Handled"/> after.</summary>
    /// <param name="index">The event's index in the batch.</param>
    /// <param name="count">The batch's size.</param>
    /// <param name="logEvent">The event; <see langword="null"/> for a cell a user's queue counted but did not
    /// fill.</param>
    /// <returns><see langword="false"/> when the listener was abandoned before the claim: this event and the rest
    /// are the abandoning thread's.</returns>
    public bool TryClaim(int index, int count, out LogEvent? logEvent)
    {
        logEvent = Events[index];
        _inFlight = logEvent;
        var claimed = Pack(count, index + 1);
        if (!Publish(claimed) && WaitForTaken() != claimed)
        {
            logEvent = null;
            return false;
        }

        Events[index] = null!;
        return true;
    }

    /// <summary>The claimed event has been handed to every sink.</summary>
    public void Handled() => Volatile.Write(ref _inFlight, null);

    /// <summary>
    /// Abandon the listener: take the events it has not claimed, and name the one it is handling, if any.
    /// </summary>
    /// <param name="inFlight">The event the listener is writing to its sinks, which may or may not get written;
    /// <see langword="null"/> when it is between events.</param>
    /// <returns>The events the listener will now never handle.</returns>
    public List<LogEvent> Abandon(out LogEvent? inFlight)
    {
        inFlight = null;
        if (Interlocked.Exchange(ref _abandoned, 1) != 0) return [];

#if NET
        Interlocked.MemoryBarrierProcessWide();
#endif
        var progress = Volatile.Read(ref _progress);
        try
        {
            var count = (int)(progress >> 32);
            var next = (int)progress;
            var rest = new List<LogEvent>(count - next);
            for (var i = next; i < count; i++)
            {
                // A cell a user's queue counted but did not fill has nothing to report.
                if (Events[i] is { } logEvent) rest.Add(logEvent);
            }

            // The listener names the event before it claims it: one whose claim was not seen is in the rest already.
            inFlight = Volatile.Read(ref _inFlight);
            if (inFlight is not null && next < count && ReferenceEquals(inFlight, Events[next])) inFlight = null;
            return rest;
        }
        finally
        {
            // After the copy: once it sees this, the listener thread may reuse the cells read above. Published even if
            // the copy failed (out of memory), so that a listener waiting for it is not left spinning for ever.
            Volatile.Write(ref _taken, progress);
        }
    }

    /// <summary>Store the listener's progress, then look whether it was abandoned (see the remarks).</summary>
    /// <returns><see langword="true"/> when it was not: the abandoner, if any comes, sees this progress.</returns>
    bool Publish(long progress)
    {
        Volatile.Write(ref _progress, progress);
#if !NET
        Interlocked.MemoryBarrier();
#endif
        return _abandoned == 0;
    }

    /// <summary>The progress the abandoning thread took the events after, once it has published it: right after
    /// its barrier and its copy of the rest of the batch.</summary>
    long WaitForTaken()
    {
        // Yields rather than sleeps: a sleep could end in a ThreadInterruptedException, and the listener thread
        // must learn its share before it does anything else.
        long taken;
        for (var spins = 0; (taken = Volatile.Read(ref _taken)) == NotPublished; spins++)
        {
            if (spins < 10) Thread.SpinWait(64);
            else Thread.Yield();
        }

        return taken;
    }

    static long Pack(int count, int next) => ((long)count << 32) | (uint)next;
}
