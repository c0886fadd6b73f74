using System.Runtime.InteropServices;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The counters of <see cref="LogEventQueue"/>, each group on cache lines of its own so that producers and the
/// listener do not invalidate each other's lines on every event (false sharing). 128 bytes covers the adjacent-line
/// prefetcher of current x64 parts as well as 128-byte lines on some ARM64 parts.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 4 * CacheLine)]
struct QueuePositions
{
    const int CacheLine = 128;

    /// <summary>
    /// The next position a producer will reserve. Written only by producers, with a compare-and-swap; read by the
    /// listener when it decides whether it may park.
    /// </summary>
    [FieldOffset(CacheLine)]
    public long Enqueue;

    /// <summary>
    /// A lower bound of <c>Dequeue + capacity</c>, cached by producers so that the hot path need not read
    /// <see cref="Dequeue"/>, which the listener keeps changing. It is only ever too low, never too high, because it
    /// is computed from a value of <see cref="Dequeue"/>, which never decreases; a producer that finds it stale reads
    /// <see cref="Dequeue"/> again. Plain racy writes are therefore benign.
    /// </summary>
    [FieldOffset(CacheLine + sizeof(long))]
    public long ProducerLimit;

    /// <summary>
    /// The next position to be taken off the queue. Advanced with a compare-and-swap by whoever claims events: the
    /// listener, a producer evicting the oldest event, or the sink reclaiming leftovers at shutdown.
    /// </summary>
    [FieldOffset(2 * CacheLine)]
    public long Dequeue;

    /// <summary>
    /// <see cref="ListenerParking.Napping"/> or <see cref="ListenerParking.Sleeping"/> while the listener is parked
    /// (or about to park) in <see cref="LogEventQueue.WaitToDequeue"/>, otherwise <see cref="ListenerParking.Awake"/>.
    /// Set by the listener; cleared by the listener as it wakes, or by whichever thread wins the exchange that wakes
    /// it. Read by producers on every enqueue, so it shares its line only with the rarely written
    /// <see cref="WaitingProducers"/>.
    /// </summary>
    [FieldOffset(3 * CacheLine)]
    public int ListenerParked;

    /// <summary>
    /// The number of producers parked in Block mode waiting for room, changed with interlocked operations; read by
    /// whoever frees room, after each batch.
    /// </summary>
    [FieldOffset(3 * CacheLine + sizeof(int))]
    public int WaitingProducers;
}
