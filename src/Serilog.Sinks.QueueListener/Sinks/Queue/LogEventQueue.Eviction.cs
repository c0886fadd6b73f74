using Serilog.Events;

namespace Serilog.Sinks.Queue;

// What DropOldest and the protected level take out of the ring: the oldest event at the head, or one below the
// level from behind a protected head, evicted in place; and the drop that counts and reports each evicted or
// refused event. The state it works on, and why the class is partial, are in LogEventQueue.cs.
public sealed partial class LogEventQueue
{
    /// <summary>The stand-in left in the slot of an event evicted from behind a protected head; never handed to a
    /// consumer.</summary>
    static readonly LogEvent Vacated = new(DateTimeOffset.MinValue, LogEventLevel.Verbose, null, MessageTemplate.Empty, []);

    /// <summary>
    /// How many slots hold <see cref="Vacated"/> between the dequeue and the enqueue positions: incremented by the
    /// producer that evicts in place (after its exchange), decremented by whoever claims such a slot (after its
    /// claim), both interlocked. So it can run ahead of the ring (a claim between the two steps makes it briefly one
    /// low, even -1) or behind it (read after a claim and before its decrement, it is high): a producer adding it to
    /// its room check can then admit an event or two past the capacity, but never into a slot that is not free,
    /// which the sequence check guards as always; the capacity bounds the events held but for those, and the ring
    /// (twice the capacity) bounds them all.
    /// </summary>
    long _vacated;

    /// <summary>How many events past a protected head an eviction looks at for one below the level.</summary>
    const int BehindHeadScan = 64;

    /// <summary>
    /// Evict, in place, the oldest published event below the protected level among the <see cref="BehindHeadScan"/>
    /// behind the head, which is protected: its slot keeps its place in the ring, holding <see cref="Vacated"/>, and
    /// counts as room (<see cref="_vacated"/>) until a consumer passes it.
    /// </summary>
    /// <param name="tail">The enqueue position the caller found full.</param>
    /// <returns>Whether an event was evicted, counted and reported.</returns>
    /// <remarks>
    /// <para>Race-freedom. A slot is only looked into while its sequence says its event is published and not yet
    /// claimed (<c>p + 1</c>); the item read after that acquire is the producer's event, or, if a consumer has since
    /// claimed the slot, null (its exchange) or a later lap's event. The eviction is a compare-and-swap of the item
    /// from the event read to <see cref="Vacated"/>, and a consumer takes the item with an exchange
    /// (<see cref="Release"/>): whichever comes first has the event, the other finds <see cref="Vacated"/> (the
    /// consumer skips it) or something else (the compare-and-swap fails). So an event is written or evicted, never
    /// both. Should the slot have gone round a lap and hold the very same event object again (logged twice), the
    /// swap evicts that later copy: still one drop, counted and reported once, of an event below the level.</para>
    /// <para>The slot the incoming event needs must be free first: in a ring full of protected events and slots
    /// already evicted in place, evicting one more would only make the incoming event drop too, for want of a
    /// slot. That look is a hint (another producer may take the slot next); the loss it can still cause is counted
    /// and reported as any other.</para>
    /// </remarks>
    bool TryEvictBehindHead(long tail)
    {
        if (Volatile.Read(ref _slots[tail & _mask].Sequence) != tail) return false;

        var head = Volatile.Read(ref _positions.Dequeue);
        var end = Math.Min(tail, head + 1 + BehindHeadScan);
        for (var position = head + 1; position < end; position++)
        {
            // Not published yet, or already claimed (the listener has moved on meanwhile): look at the next one.
            ref var slot = ref _slots[position & _mask];
            if (Volatile.Read(ref slot.Sequence) != position + 1) continue;

            var item = Volatile.Read(ref slot.Item);
            if (item is null || ReferenceEquals(item, Vacated) || Protects(item)) continue;
            if (Interlocked.CompareExchange(ref slot.Item, Vacated, item) != item) continue;

            Interlocked.Increment(ref _vacated);

            // As in TryEvictOldest: the event is in no slot now, and the drop report is its only way out.
            Drop(item, DropReason.Evicted);
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="logEvent"/> is at or above the protected level, so that it must not be
    /// dropped: it waits for room as in Block mode, parked in <see cref="ProducerParking"/> like a Block producer and
    /// released the same way (room, or the sink's disposal through the cancellation token); a slot that is late
    /// (<see cref="Enqueue"/>'s "behind" case) it waits out with <see cref="Thread.Yield"/>, as Block mode does.
    /// Read only where the queue is full or a slot is late; the ring's protocol is the same for every event, so the
    /// level changes who waits, never how a slot changes hands.</summary>
    bool Protects(LogEvent logEvent) => (int)logEvent.Level >= _protectedFrom;

    /// <summary>
    /// Claim the oldest event and report it dropped, unless it is protected. Fails, for the caller to look again,
    /// when another consumer claimed it first or its producer has reserved but not yet published it.
    /// </summary>
    /// <remarks>
    /// The level is read from the slot before the claim, and that read is safe: the sequence read first says the
    /// event of position <c>head</c> is published, and its acquire makes the producer's store of the item visible.
    /// The item of that slot changes only after some consumer has claimed <c>head</c> (the release clears it, then the
    /// producer a lap later fills it), and a claim moves the dequeue position past <c>head</c>; or, before the claim,
    /// when an eviction in place (<see cref="TryEvictBehindHead"/>, working from an older head) swaps it for
    /// <see cref="Vacated"/>, which it does only to an event below the level. So a protected item read stays: the
    /// level read is right. When the compare-and-swap below succeeds, nobody has claimed <c>head</c>, and the release
    /// gets the event read or <see cref="Vacated"/>; when another consumer won in between, the item read may be null
    /// or a later event, but the compare-and-swap then fails and the read is thrown away. A protected event at the
    /// head is left in place: nothing is claimed, and the listener takes it in its turn.
    /// </remarks>
    Eviction TryEvictOldest()
    {
        var head = Volatile.Read(ref _positions.Dequeue);
        ref var slot = ref _slots[head & _mask];
        if (Volatile.Read(ref slot.Sequence) != head + 1) return Eviction.Retry;
        if (_protectedFrom != int.MaxValue && Volatile.Read(ref slot.Item) is { } oldest && !ReferenceEquals(oldest, Vacated) && Protects(oldest))
        {
            // Stale when the head moved meanwhile; then the next look finds the new head.
            return Volatile.Read(ref _positions.Dequeue) == head ? Eviction.HeadProtected : Eviction.Retry;
        }

        if (Interlocked.CompareExchange(ref _positions.Dequeue, head + 1, head) != head) return Eviction.Retry;

        var evicted = Release(head);
        if (ReferenceEquals(evicted, Vacated))
        {
            // Evicted in place before: nothing more to drop, and no room gained, since it counted as room already.
            Interlocked.Decrement(ref _vacated);
            return Eviction.PassedVacated;
        }

        // Past the claim the event is in no slot: the drop report is its only way out, so Drop must not throw, not
        // even an interrupt meant for this producer (DropReporter.Add holds it back until the event is held).
        Drop(evicted, DropReason.Evicted);
        return Eviction.Evicted;
    }

    void Drop(LogEvent logEvent, DropReason reason)
    {
        Interlocked.Increment(ref _droppedCount);
        _dropReporter.Add(logEvent, reason);
    }
}
