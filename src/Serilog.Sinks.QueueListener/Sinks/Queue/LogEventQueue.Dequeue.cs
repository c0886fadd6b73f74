using Serilog.Events;

namespace Serilog.Sinks.Queue;

// The consumers' side of the ring: claim a batch of published events with one compare-and-swap and take them out of
// their slots, markers keeping their place between events; and the two steps of a claim, one at a time, for tests.
// The state it works on, and why the class is partial, are in LogEventQueue.cs.
public sealed partial class LogEventQueue
{
    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException">When <paramref name="batch"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="batch"/> is empty.</exception>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (batch is null) throw new ArgumentNullException(nameof(batch));
        if (batch.Length == 0) throw new ArgumentException("The batch must have room for at least one event.", nameof(batch));

        while (true)
        {
            var head = Volatile.Read(ref _positions.Dequeue);
            var markerPosition = _markers.NextPosition;
            if (markerPosition <= head)
            {
                if (_markers.TryTake(head, out marker)) return 0;
                continue;
            }

            // Count the published events from the head, stopping at the next marker so that it keeps its place.
            var limit = Math.Min(markerPosition - head, batch.Length);
            var count = 0;
            while (count < limit && Volatile.Read(ref _slots[(head + count) & _mask].Sequence) == head + count + 1)
            {
                count++;
            }

            marker = null;
            if (count == 0) return 0;

            // Claim them all at once. Another consumer (an evicting producer, the sink reclaiming leftovers) may have
            // moved the head meanwhile; then count again from the new head.
            if (Interlocked.CompareExchange(ref _positions.Dequeue, head + count, head) != head) continue;

            if (_evictsBehindHead)
            {
                var taken = ReleaseSkippingVacated(batch, head, count);
                if (Volatile.Read(ref _positions.WaitingProducers) != 0) _producerParking.WakeProducers();

                // Every slot claimed had been evicted in place: look again rather than report the queue empty.
                if (taken == 0) continue;
                return taken;
            }

            // LogEvent is not sealed, so a store into a LogEvent[] checks the array's type every time; a span checks
            // it once. An array of a derived type, passed as LogEvent[], keeps the checked stores.
            if (batch.GetType() == typeof(LogEvent[]))
            {
                var cells = batch.AsSpan(0, count);
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = Release(head + i);
                }
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    batch[i] = Release(head + i);
                }
            }

            // The compare-and-swap above is a full fence: a producer that registered as waiting before it is seen
            // here, and one registering after it finds the room when it checks under the monitor.
            if (Volatile.Read(ref _positions.WaitingProducers) != 0) _producerParking.WakeProducers();
            return count;
        }
    }

    /// <summary>Take the event out of a claimed slot and hand the slot to the position one lap later.</summary>
    /// <remarks>Where events may be evicted in place, the item is taken with an exchange: a producer evicting the
    /// same event in place (<see cref="TryEvictBehindHead"/>) swaps it with a compare-and-swap, so exactly one of the
    /// two gets it. A plain read and clear would let both have it, the one writing it and the other reporting it
    /// dropped. The result may then be <see cref="Vacated"/>, which the caller skips.</remarks>
    LogEvent Release(long position)
    {
        ref var slot = ref _slots[position & _mask];
        LogEvent logEvent;
        if (_evictsBehindHead)
        {
            logEvent = Interlocked.Exchange(ref slot.Item, null)!;
        }
        else
        {
            logEvent = slot.Item!;
            slot.Item = null;
        }

        Volatile.Write(ref slot.Sequence, position + _slots.Length);
        return logEvent;
    }

    /// <summary>Release the <paramref name="count"/> claimed slots from <paramref name="head"/> into
    /// <paramref name="batch"/>, leaving out those evicted in place.</summary>
    /// <returns>How many events <paramref name="batch"/> holds.</returns>
    int ReleaseSkippingVacated(LogEvent[] batch, long head, int count)
    {
        var taken = 0;
        for (var i = 0; i < count; i++)
        {
            var logEvent = Release(head + i);
            if (ReferenceEquals(logEvent, Vacated))
            {
                Interlocked.Decrement(ref _vacated);
                continue;
            }

            batch[taken++] = logEvent;
        }

        return taken;
    }

    /// <summary>
    /// For tests: claim the oldest event as a consumer does, without taking it out of its slot, which is how a
    /// consumer descheduled between its two steps leaves the ring; <see cref="ReleaseClaimed"/> is the second step.
    /// A producer that meets that slot in a drop mode cannot wait for it, and drops its event for want of a slot.
    /// </summary>
    /// <returns>The position claimed.</returns>
    internal long ClaimOldestWithoutRelease()
    {
        while (true)
        {
            var head = Volatile.Read(ref _positions.Dequeue);
            if (Volatile.Read(ref _slots[head & _mask].Sequence) != head + 1) throw new InvalidOperationException("the oldest event is not published");
            if (Interlocked.CompareExchange(ref _positions.Dequeue, head + 1, head) == head) return head;
        }
    }

    /// <summary>For tests: the second step of <see cref="ClaimOldestWithoutRelease"/>.</summary>
    internal LogEvent ReleaseClaimed(long position) => Release(position);
}
