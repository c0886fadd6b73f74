using System.Diagnostics;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// One type over five files, one side of the ring each: this one holds its state, its construction and its public
// face; LogEventQueue.Enqueue.cs the producers' path, LogEventQueue.Dequeue.cs the consumers',
// LogEventQueue.Eviction.cs what DropOldest and the protected level take out of the ring, and
// LogEventQueue.BuiltIn.cs what the queue's own sink, listener, parking and metrics ask of it. A partial class
// rather than collaborators, because the slots and positions must stay fields of this one object, which the hot path
// reaches with no indirection.

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
public sealed partial class LogEventQueue : ILogEventQueue, ISetLoggingFailureListener, IBuiltInQueue
{
    /// <summary>
    /// The largest capacity accepted. The ring rounds the capacity up to a power of two, at 16 bytes a slot, so this
    /// bounds the allocation at 256 MiB (512 MiB in <see cref="QueueFullMode.DropOldest"/> mode with a protected
    /// level, whose ring has twice the slots).
    /// </summary>
    public const int MaxCapacity = 1 << 24;

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

    /// <inheritdoc/>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        _markers.Add(marker, () => Volatile.Read(ref _positions.Enqueue));
        _listenerParking.WakeListener();
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

    static int RoundUpToPowerOfTwo(int value)
    {
        Debug.Assert(value is >= 1 and <= 2 * MaxCapacity);
        var result = 1;
        while (result < value) result <<= 1;
        return result;
    }
}
