using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Accounts for every event of a repetition: delivered to the sink or reported dropped. Signals once every event
/// is accounted for, which is how a run knows that the last event has left the pipeline.
/// </summary>
/// <remarks>
/// <para>Once the last producer is done, the sink only has to wait for what was not dropped:
/// <see cref="Counters.DeliveredTarget"/> is published then, and until then it is out of reach. Drops reported
/// later (the queue reports them in batches, from a timer) lower the target as they arrive. This keeps the two sides
/// off each other's cache lines while they run: the sink reads only a field written once per repetition (and per
/// late report), and dropping producers touch only <see cref="Counters.Dropped"/>. A tally in which each side read
/// the other's counter on every event would slow the listener down in the dropping modes, and measure itself.</para>
/// <para>The races at the end: the sink increments <see cref="Counters.Delivered"/> then reads the target; whoever
/// lowers the target then reads the delivered count. A late drop adds to <see cref="Counters.Dropped"/> then reads
/// whether the producers are done; the last producer marks itself done then reads the drops. All are interlocked
/// operations (full fences), so in each pair at least one side sees the other's write; both may, which is
/// harmless.</para>
/// </remarks>
sealed class Tally : IDisposable
{
    /// <summary>Each counter on a line of its own: the sink and the dropping producers write them concurrently.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4 * 128)]
    struct Counters
    {
        [FieldOffset(128)] public long Delivered;
        [FieldOffset(256)] public long Dropped;
        [FieldOffset(384)] public long DeliveredTarget;
    }

    Counters _counters;
    long _expected;

    /// <summary>The pipeline's own count of the drops in this repetition, exact the moment a producer's call
    /// returns; <see langword="null"/> when the pipeline keeps none.</summary>
    Func<long>? _ownDropped;
    int _producersRunning;
    readonly ManualResetEventSlim _complete = new(false);

    public long Delivered => Volatile.Read(ref _counters.Delivered);

    public long Dropped => Volatile.Read(ref _counters.Dropped);

    /// <summary>
    /// Zero the counters and expect <paramref name="expected"/> events from <paramref name="producers"/> producers,
    /// each of which calls <see cref="ProducerDone"/> when it has logged its share. Call only while no events are in
    /// flight.
    /// </summary>
    /// <param name="expected">The events the producers will log.</param>
    /// <param name="producers">How many producers will call <see cref="ProducerDone"/>.</param>
    /// <param name="ownDropped">The pipeline's own count of this repetition's drops: when the last producer is done,
    /// it fixes the target at once, so that the end of the run is the last delivery, not the arrival of a batched
    /// drop report a moment later.</param>
    public void Reset(long expected, int producers, Func<long>? ownDropped = null)
    {
        _ownDropped = ownDropped;
        Interlocked.Exchange(ref _counters.DeliveredTarget, long.MaxValue);
        _complete.Reset();
        Interlocked.Exchange(ref _counters.Delivered, 0);
        Interlocked.Exchange(ref _counters.Dropped, 0);
        _expected = expected;
        Interlocked.Exchange(ref _producersRunning, producers);
    }

    public void AddDelivered(long count)
    {
        var delivered = Interlocked.Add(ref _counters.Delivered, count);
        if (delivered >= Volatile.Read(ref _counters.DeliveredTarget)) _complete.Set();
    }

    public void AddDropped(long count)
    {
        var dropped = Interlocked.Add(ref _counters.Dropped, count);
        if (Volatile.Read(ref _producersRunning) == 0) LowerTarget(_expected - dropped);
    }

    /// <summary>Called by each producer after its last call: the last one fixes how many deliveries to wait for.</summary>
    public void ProducerDone()
    {
        if (Interlocked.Decrement(ref _producersRunning) != 0) return;

        var dropped = Math.Max(Volatile.Read(ref _counters.Dropped), _ownDropped?.Invoke() ?? 0);
        LowerTarget(_expected - dropped);
    }

    /// <summary>Lower the target to <paramref name="target"/> unless it is lower already, then signal if it has been
    /// reached: a late drop and the last producer may race here with counts read at different times.</summary>
    void LowerTarget(long target)
    {
        var current = Volatile.Read(ref _counters.DeliveredTarget);
        while (target < current)
        {
            var seen = Interlocked.CompareExchange(ref _counters.DeliveredTarget, target, current);
            if (seen == current) break;
            current = seen;
        }

        if (Volatile.Read(ref _counters.Delivered) >= Volatile.Read(ref _counters.DeliveredTarget)) _complete.Set();
    }

    /// <returns><see langword="true"/> when every expected event was accounted for in time.</returns>
    public bool Wait(TimeSpan timeout) => _complete.Wait(timeout);

    public void Dispose() => _complete.Dispose();
}
