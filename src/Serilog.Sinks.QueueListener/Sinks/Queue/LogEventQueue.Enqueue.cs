using Serilog.Events;

namespace Serilog.Sinks.Queue;

// The producers' side of the ring: reserve a free slot and publish the event into it, and, when the queue is full,
// what the full mode says (wait for room, drop the incoming event, or evict the oldest). The state it works on, and
// why the class is partial, are in LogEventQueue.cs.
public sealed partial class LogEventQueue
{
    /// <summary>How many events one enqueue in <see cref="QueueFullMode.DropOldest"/> mode evicts, at most, while
    /// other producers keep taking the slots it frees.</summary>
    const int MaxEvictionsPerEnqueue = 8;

    /// <inheritdoc/>
    /// <returns><see langword="true"/> when the event was added; <see langword="false"/> when it was dropped instead
    /// (it has been counted and is reported).</returns>
    /// <exception cref="ArgumentNullException">When <paramref name="logEvent"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException">In <see cref="QueueFullMode.Block"/> mode, when
    /// <paramref name="cancellationToken"/> is cancelled while the queue is full, at once when it was cancelled
    /// before the call; the event was not added.</exception>
    /// <remarks>
    /// An interrupt (<see cref="Thread.Interrupt"/>) never cuts an enqueue short: a producer interrupted while it
    /// waits for room goes on waiting, and the interrupt surfaces at the thread's next blocking wait after the call.
    /// </remarks>
    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        if (logEvent is null) throw new ArgumentNullException(nameof(logEvent));

        var dropSpin = new NonBlockingSpin();
        var evictions = 0;
        while (true)
        {
            var position = Volatile.Read(ref _positions.Enqueue);
            if (position >= Volatile.Read(ref _positions.ProducerLimit) && !HasRoomFor(position))
            {
                // Full: a napping listener must not leave the queue full for the rest of its nap.
                if (Volatile.Read(ref _positions.ListenerParked) != ListenerParking.Awake) _listenerParking.WakeListener();
                switch (_fullMode)
                {
                    case QueueFullMode.Block:
                        _producerParking.WaitForRoom(cancellationToken);
                        continue;
                    case QueueFullMode.DropIncoming:
                        // A protected event waits as in Block mode (see Protects).
                        if (Protects(logEvent))
                        {
                            _producerParking.WaitForRoom(cancellationToken);
                            continue;
                        }

                        Drop(logEvent, DropReason.QueueFull);
                        return false;
                    default:
                        // Other producers may take each slot this one frees; after a few rounds, drop the incoming
                        // event rather than go on evicting for them. A protected event at the head is not evicted.
                        var eviction = evictions < MaxEvictionsPerEnqueue ? TryEvictOldest() : Eviction.Retry;
                        if (eviction is Eviction.Evicted or Eviction.PassedVacated
                            || (eviction == Eviction.HeadProtected && _evictsBehindHead && TryEvictBehindHead(position)))
                        {
                            evictions++;
                            continue;
                        }

                        if (Protects(logEvent))
                        {
                            _producerParking.WaitForRoom(cancellationToken);
                            continue;
                        }

                        // A protected head, and no event below the level close enough behind it to evict, or no free
                        // slot for the incoming event: the incoming event is the one to drop, at once (a spin here,
                        // taken by every producer in a flood, would starve the listener that makes room).
                        if (eviction == Eviction.HeadProtected)
                        {
                            Drop(logEvent, DropReason.QueueFull);
                            return false;
                        }

                        if (dropSpin.TrySpinOnce()) continue;
                        Drop(logEvent, DropReason.NoSlot);
                        return false;
                }
            }

            // Reserve the position only once its slot is free, so that nothing can keep a reserved slot from being
            // published: the two stores of the publication follow the reservation with nothing in between that
            // waits, spins or can be interrupted.
            ref var slot = ref _slots[position & _mask];
            var sequence = Volatile.Read(ref slot.Sequence);
            if (sequence == position)
            {
                if (Interlocked.CompareExchange(ref _positions.Enqueue, position + 1, position) != position) continue;

                slot.Item = logEvent;
                Volatile.Write(ref slot.Sequence, position + 1);
                // Only a sleeping listener needs waking; a napping one wakes by itself within a millisecond.
                if (Volatile.Read(ref _positions.ListenerParked) == ListenerParking.Sleeping) _listenerParking.WakeListener();
                return true;
            }

            // Ahead of the position read above: another producer has taken it; read again.
            if (sequence > position) continue;

            // Behind: the room check has seen the previous event of this slot claimed, but its consumer has yet to
            // copy it out, which takes nanoseconds unless that thread was descheduled in between.
            if (_fullMode == QueueFullMode.Block || Protects(logEvent))
            {
                Thread.Yield();
            }
            else if (!dropSpin.TrySpinOnce())
            {
                Drop(logEvent, DropReason.NoSlot);
                return false;
            }
        }
    }

    bool HasRoomFor(long position)
    {
        var limit = Volatile.Read(ref _positions.Dequeue) + _capacity;
        Volatile.Write(ref _positions.ProducerLimit, limit);

        // Slots evicted in place count as room, though not in the cached limit, which must stay a lower bound (the
        // count goes down as the listener passes them). See _vacated for why a stale count is harmless.
        return position < limit || (_evictsBehindHead && position < limit + Volatile.Read(ref _vacated));
    }
}
