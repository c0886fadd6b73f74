using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The batch the listener thread has taken off the queue, and which of its events it has begun to handle, so that a
/// shutdown that gives up on the drain can take the rest and report them with the events, exactly once, even while
/// the listener thread is still in a sink, which may never return.
/// </summary>
/// <remarks>
/// The listener claims each event, before it hands it to the sinks, with a compare-and-swap on
/// <see cref="_progress"/>, which packs the batch's size and the index of the next unclaimed event; the abandoning
/// thread takes the rest by exchanging <see cref="Abandoned"/> in. Whichever operation comes first decides each
/// event, so an event is either handled or taken, never both, never neither. The compare-and-swap costs a few
/// nanoseconds per event on a cache line no other thread touches until shutdown.
/// </remarks>
sealed class HeldBatch
{
    const long Abandoned = -1;

    /// <summary>The batch array; filled by the queue before the batch is published by <see cref="TryBegin"/>, and
    /// read by the abandoning thread only after its exchange, and only from the next unclaimed index on, which the
    /// listener thread no longer touches by then.</summary>
    public readonly LogEvent[] Events;

    /// <summary>The event the listener thread is claiming or handling, or <see langword="null"/> between events.
    /// Written by the listener thread; read by the abandoning thread.</summary>
    LogEvent? _inFlight;

    /// <summary>The batch's size in the high half, the next unclaimed index in the low half; or
    /// <see cref="Abandoned"/>. Changed only with interlocked operations.</summary>
    long _progress;

    public HeldBatch(int size)
    {
        Events = new LogEvent[size];
    }

    public bool IsAbandoned => Interlocked.Read(ref _progress) == Abandoned;

    /// <summary>Publish a batch of <paramref name="count"/> events just taken off the queue into
    /// <see cref="Events"/>.</summary>
    /// <returns><see langword="false"/> when the listener was abandoned: the batch is the listener thread's to
    /// report.</returns>
    public bool TryBegin(int count)
    {
        var current = Interlocked.Read(ref _progress);
        return current != Abandoned && Interlocked.CompareExchange(ref _progress, Pack(count, 0), current) == current;
    }

    /// <summary>Claim event <paramref name="index"/> of a batch of <paramref name="count"/>, before handling it;
    /// call <see cref="Handled"/> after.</summary>
    /// <param name="index">The event's index in the batch.</param>
    /// <param name="count">The batch's size.</param>
    /// <param name="logEvent">The event; <see langword="null"/> for a cell a user's queue counted but did not
    /// fill.</param>
    /// <returns><see langword="false"/> when the listener was abandoned: this event and the rest are the abandoning
    /// thread's.</returns>
    public bool TryClaim(int index, int count, out LogEvent? logEvent)
    {
        logEvent = Events[index];
        Volatile.Write(ref _inFlight, logEvent);
        if (Interlocked.CompareExchange(ref _progress, Pack(count, index + 1), Pack(count, index)) != Pack(count, index))
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
    /// Abandon the listener: take the events it has not claimed, and the one it is handling, if any.
    /// </summary>
    /// <param name="inFlight">The event the listener is writing to its sinks, which may or may not get written;
    /// <see langword="null"/> when it is between events.</param>
    /// <returns>The events the listener will now never handle.</returns>
    public List<LogEvent> Abandon(out LogEvent? inFlight)
    {
        var progress = Interlocked.Exchange(ref _progress, Abandoned);
        inFlight = null;
        if (progress == Abandoned) return [];

        var count = (int)(progress >> 32);
        var next = (int)progress;
        var rest = new List<LogEvent>(count - next);
        for (var i = next; i < count; i++)
        {
            // A cell a user's queue counted but did not fill has nothing to report.
            if (Events[i] is { } logEvent) rest.Add(logEvent);
        }

        // The listener names the event before it claims it: one it failed to claim is in the rest already.
        inFlight = Volatile.Read(ref _inFlight);
        if (inFlight is not null && next < count && ReferenceEquals(inFlight, Events[next])) inFlight = null;
        return rest;
    }

    static long Pack(int count, int next) => ((long)count << 32) | (uint)next;
}
