using System.Diagnostics;
using System.Globalization;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The default <see cref="ILogEventQueue"/>: a bounded, lock-free ring of slots allocated once, in the style of
/// Dmitry Vyukov's bounded queue. An enqueue costs one compare-and-swap and allocates nothing; the listener claims
/// events in batches with one compare-and-swap per batch.
/// </summary>
/// <remarks>
/// <para>When the queue is empty the listener spins briefly, yields its core while still watching for some 20 µs,
/// then naps a millisecond at a time, waking by itself; only after 20 ms without work does it sleep until a
/// producer wakes it. So a producer pays for a wake-up only for the first event after a lull, or when it finds the
/// queue full, not at every ordinary rate; an event waits at most a nap. In <see cref="QueueFullMode.Block"/> mode a
/// producer that finds the queue full spins briefly and then parks until the listener frees room.</para>
/// <para>Dropped events (<see cref="QueueFullMode.DropIncoming"/>, <see cref="QueueFullMode.DropOldest"/>) are
/// counted in <see cref="DroppedCount"/> at once and reported with the events themselves, many to a report, to the
/// failure listener (<see cref="SelfLog.FailureListener"/> unless one is set) as
/// <see cref="LoggingFailureKind.Permanent"/>, from a timer about 100 ms later: the producer that drops an event
/// does not wait, and calls the failure listener only in a flood, when some 10,000 drops wait for their report. In
/// those modes the queue never parks a producer or puts it to sleep; when it cannot get a slot within a spin of some
/// microseconds (the thread it would wait for was descheduled mid-step), or after evicting a few events that other
/// producers took, it drops the incoming event. (The runtime may still pause any thread: a garbage collection, a
/// page fault.)</para>
/// <para>With a protected level (<see cref="ProtectedLevel"/>), the drop modes drop only events below it: one at or
/// above it waits for room as in Block mode. <see cref="QueueFullMode.DropOldest"/> evicts the oldest event below the
/// level: at the head, or, when the head is protected, from behind it (among the next 64), in place, its slot left
/// empty for the listener to pass and counted as room meanwhile; for that the ring has twice the slots in this mode.
/// Only when no such event is found, or no slot is free for the incoming event (the ring full of protected events
/// and slots waiting to be passed), is an incoming event below the level dropped instead.</para>
/// </remarks>
public sealed class LogEventQueue : ILogEventQueue, ISetLoggingFailureListener, IBuiltInQueue
{
    /// <summary>
    /// The largest capacity accepted. The ring rounds the capacity up to a power of two, at 16 bytes a slot, so this
    /// bounds the allocation at 256 MiB (512 MiB in <see cref="QueueFullMode.DropOldest"/> mode with a protected
    /// level, whose ring has twice the slots).
    /// </summary>
    public const int MaxCapacity = 1 << 24;

    /// <summary>How many events one enqueue in <see cref="QueueFullMode.DropOldest"/> mode evicts, at most, while
    /// other producers keep taking the slots it frees.</summary>
    const int MaxEvictionsPerEnqueue = 8;

    /// <summary>The ring; its length is a power of two, at least the capacity, and at least two. With a single slot
    /// the sequence that marks position <c>p</c> published (<c>p + 1</c>) would also mark the slot free for position
    /// <c>p + 1</c>: a producer could overwrite an event between its claim and its release, losing it and leaving
    /// the slot in a state nobody can advance (see <see cref="RingSlot"/>).</summary>
    readonly RingSlot[] _slots;

    /// <summary><c>_slots.Length - 1</c>, to map a position to its slot.</summary>
    readonly long _mask;

    readonly int _capacity;
    readonly QueueFullMode _fullMode;
    readonly LogEventLevel? _protectedLevel;

    /// <summary>The protected level as a number, <see cref="int.MaxValue"/> when none is: read only on the paths
    /// where the queue is full or a slot is late, never on the way of an event that finds room.</summary>
    readonly int _protectedFrom;

    /// <summary>
    /// Whether an eviction may take an event from behind a protected head (<see cref="QueueFullMode.DropOldest"/>
    /// with a protected level): it then leaves <see cref="Vacated"/> in the event's slot (see
    /// <see cref="TryEvictBehindHead"/>), consumers take items with an exchange, and the ring has twice the slots,
    /// so that an evicted slot can count as room while it waits for the listener to pass it.
    /// </summary>
    readonly bool _evictsBehindHead;

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
    readonly QueueMarkerList _markers = new();

    /// <summary>The positions and flags, padded against false sharing; see <see cref="QueuePositions"/>.</summary>
    QueuePositions _positions;

    /// <summary>Where the listener parks when the queue is empty; see <see cref="ListenerParking"/>.</summary>
    readonly ListenerParking _listenerParking;

    /// <summary>Where producers park in Block mode; see <see cref="ProducerParking"/>.</summary>
    readonly ProducerParking _producerParking;

    /// <summary>Incremented with an interlocked operation on the drop path only.</summary>
    long _droppedCount;

    /// <summary>Reports dropped events in batches, off the producers' path; see <see cref="DropReporter"/>.</summary>
    readonly DropReporter _dropReporter;

    /// <summary>The listener threads consuming this queue now; interlocked. Lets a flush through a sink that does not
    /// own the listener tell an empty queue that nobody reads (nothing to wait for) from one whose listener still
    /// holds events it took.</summary>
    int _runningListeners;

    /// <summary>The dequeue position at which producers were last reported to wait on a stalled queue, or -1; one
    /// report per stall. Interlocked.</summary>
    long _stallReportedAt = -1;

    /// <summary>Set during configuration, before logging starts (the contract of
    /// <see cref="ISetLoggingFailureListener"/>), so reads need no barrier. Read by <see cref="_dropReporter"/> at
    /// each report.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>
    /// Create a queue.
    /// </summary>
    /// <param name="capacity">The most events held at once, from 1 to <see cref="MaxCapacity"/>.</param>
    /// <param name="fullMode">What to do with a new event when the queue is full.</param>
    /// <param name="protectedLevel">In the drop modes, events at or above this level are never dropped: they wait for
    /// room as in <see cref="QueueFullMode.Block"/> mode, and <see cref="QueueFullMode.DropOldest"/> evicts the
    /// oldest event below it. <see langword="null"/> protects none.</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="capacity"/> is outside 1 to
    /// <see cref="MaxCapacity"/>, or <paramref name="fullMode"/> or <paramref name="protectedLevel"/> is not a
    /// defined value.</exception>
    public LogEventQueue(int capacity = 10000, QueueFullMode fullMode = QueueFullMode.Block, LogEventLevel? protectedLevel = null)
    {
        if (capacity is < 1 or > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"The capacity must be from 1 to {MaxCapacity:N0} events.");
        }

        if (fullMode is not (QueueFullMode.Block or QueueFullMode.DropIncoming or QueueFullMode.DropOldest))
        {
            throw new ArgumentOutOfRangeException(nameof(fullMode), fullMode,
                "The full mode must be Block, DropIncoming or DropOldest.");
        }

        LevelChecks.Validate(protectedLevel, nameof(protectedLevel));
        _capacity = capacity;
        _fullMode = fullMode;
        _protectedLevel = protectedLevel;
        _protectedFrom = protectedLevel is { } level ? (int)level : int.MaxValue;
        _evictsBehindHead = fullMode == QueueFullMode.DropOldest && protectedLevel is not null;
        _slots = new RingSlot[Math.Max(2, RoundUpToPowerOfTwo(_evictsBehindHead ? 2 * capacity : capacity))];
        _mask = _slots.Length - 1;
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i].Sequence = i;
        }

        _positions.ProducerLimit = capacity;
        _listenerParking = new ListenerParking(this);
        _producerParking = new ProducerParking(this);
        _dropReporter = new DropReporter(this, () => _failureListener);
    }

    /// <inheritdoc/>
    public int Capacity => _capacity;

    /// <summary>
    /// What the queue does with a new event when it is full.
    /// </summary>
    public QueueFullMode FullMode => _fullMode;

    /// <summary>
    /// In the drop modes, the level from which events are never dropped; <see langword="null"/> when none is.
    /// </summary>
    public LogEventLevel? ProtectedLevel => _protectedLevel;

    /// <inheritdoc/>
    public int Count
    {
        get
        {
            // Read Dequeue first: both only grow, so the difference can overstate but never go below zero by more
            // than a race; clamp it into range anyway.
            var head = Volatile.Read(ref _positions.Dequeue);
            var tail = Volatile.Read(ref _positions.Enqueue);
            var vacated = _evictsBehindHead ? Volatile.Read(ref _vacated) : 0;
            return (int)Math.Min(Math.Max(tail - head - vacated, 0), _capacity);
        }
    }

    /// <inheritdoc/>
    public long DroppedCount => Volatile.Read(ref _droppedCount);

    /// <summary>
    /// The number of events added to the queue so far (taken or not), for metrics: the enqueue position, which the
    /// queue keeps anyway, so counting costs producers nothing.
    /// </summary>
    internal long EnqueuedCount => Volatile.Read(ref _positions.Enqueue);

    /// <summary>The next position to be taken off the queue, for <see cref="ListenerParking"/> to tell whether the
    /// listener has taken events since it last parked.</summary>
    internal long DequeuePosition => Volatile.Read(ref _positions.Dequeue);

    /// <summary><see cref="QueuePositions.ListenerParked"/>, for <see cref="ListenerParking"/>.</summary>
    internal ref int ListenerParked => ref _positions.ListenerParked;

    /// <summary><see cref="QueuePositions.WaitingProducers"/>, for <see cref="ProducerParking"/>.</summary>
    internal ref int WaitingProducers => ref _positions.WaitingProducers;

    /// <inheritdoc/>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

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

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        _markers.Add(marker, () => Volatile.Read(ref _positions.Enqueue));
        _listenerParking.WakeListener();
    }

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

    /// <inheritdoc/>
    /// <remarks>
    /// While the queue has seen work in the last 20 ms, this naps: it returns after at most a millisecond, with
    /// <see langword="false"/> when nothing came, so that producers never have to wake it (see the class remarks).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="timeout"/> is negative and not
    /// <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public bool WaitToDequeue(TimeSpan timeout)
    {
        ShutdownTimeouts.Validate(timeout, nameof(timeout));
        return _listenerParking.WaitForWork(timeout);
    }

    bool HasRoomFor(long position)
    {
        var limit = Volatile.Read(ref _positions.Dequeue) + _capacity;
        Volatile.Write(ref _positions.ProducerLimit, limit);

        // Slots evicted in place count as room, though not in the cached limit, which must stay a lower bound (the
        // count goes down as the listener passes them). See _vacated for why a stale count is harmless.
        return position < limit || (_evictsBehindHead && position < limit + Volatile.Read(ref _vacated));
    }

    /// <summary>Whether a listener thread is consuming the queue.</summary>
    bool IBuiltInQueue.HasRunningListener => Volatile.Read(ref _runningListeners) > 0;

    /// <summary>Called by a listener thread as it starts consuming, and, with <paramref name="running"/> false, as it
    /// stops.</summary>
    void IBuiltInQueue.ListenerRunning(bool running)
    {
        if (running) Interlocked.Increment(ref _runningListeners);
        else Interlocked.Decrement(ref _runningListeners);
    }

    /// <summary>
    /// Called by a producer that has waited <see cref="ProducerParking.StallReportDelay"/> for room while the dequeue
    /// position stayed at <paramref name="position"/>: report it, once for that position, so that a listener that was
    /// never started, has stopped or is held up in a sink shows instead of leaving the application hanging in
    /// silence. The producers go on waiting: Block mode loses nothing.
    /// </summary>
    internal void ReportStall(long position)
    {
        if (Interlocked.Exchange(ref _stallReportedAt, position) == position) return;

        var listener = Volatile.Read(ref _runningListeners) > 0
            ? "its listener is running but has not come back from a sink"
            : "no listener is running over it (never started, stopped, or its queue failed)";
        _failureListener.Report(this, LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "producers have waited {0:0.#} s for room in the full queue of {1:N0} events, and nothing was taken off it meanwhile: {2}; they go on waiting, as Block mode promises, until the listener takes events or the sink is disposed",
            ProducerParking.StallReportDelay.TotalSeconds, _capacity, listener), null);
    }

    /// <summary>How many times another thread has woken the listener; see <see cref="ListenerParking"/>.</summary>
    internal long ListenerWakeUps => _listenerParking.WakeUps;

    /// <summary>Wake the listener if it is parked, so that it sees at once that it must end.</summary>
    internal void WakeListener() => _listenerParking.WakeListener();

    internal bool HasRoom() => Volatile.Read(ref _positions.Enqueue) - Volatile.Read(ref _positions.Dequeue) < _capacity;

    internal bool HasPublishedWork()
    {
        var head = Volatile.Read(ref _positions.Dequeue);
        return Volatile.Read(ref _slots[head & _mask].Sequence) == head + 1 || _markers.NextPosition <= head;
    }

    internal bool HasReservedWork()
    {
        var head = Volatile.Read(ref _positions.Dequeue);
        return Volatile.Read(ref _positions.Enqueue) != head || _markers.NextPosition <= head;
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

    /// <summary>
    /// Count an event that the queue's owner dropped for want of room without offering it to the queue (one logged on
    /// the listener thread, which cannot wait for room); the owner reports it.
    /// </summary>
    internal void CountDroppedByOwner() => Interlocked.Increment(ref _droppedCount);

    /// <summary>
    /// Report the dropped events that still wait for their report, on the calling thread: called by the owner of the
    /// queue before it is done with it, so that no report is left behind when the process exits.
    /// </summary>
    internal void ReportPendingDrops() => _dropReporter.ReportPending();

    long IBuiltInQueue.EnqueuedCount => EnqueuedCount;

    void IBuiltInQueue.CountDroppedByOwner() => CountDroppedByOwner();

    void IBuiltInQueue.ReportPendingDrops() => ReportPendingDrops();

    void IBuiltInQueue.WakeListener() => WakeListener();

    static int RoundUpToPowerOfTwo(int value)
    {
        Debug.Assert(value is >= 1 and <= 2 * MaxCapacity);
        var result = 1;
        while (result < value) result <<= 1;
        return result;
    }
}
