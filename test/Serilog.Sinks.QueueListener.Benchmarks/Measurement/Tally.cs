using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Accounts for every event of a repetition: delivered to the sink or reported dropped. Signals once the two add up
/// to the number expected, which is how a run knows that the last event has left the pipeline.
/// </summary>
/// <remarks>
/// The sink thread increments <see cref="_delivered"/> and then reads <see cref="_dropped"/>; a dropping thread does
/// the opposite. Interlocked increments are full fences, so whichever increment comes last in their single total
/// order is followed by a read that sees the other counter's final value: at least one side sees the full sum and
/// signals. Both may, which is harmless.
/// </remarks>
sealed class Tally : IDisposable
{
    /// <summary>Each counter on a line of its own: the sink and the dropping producers write them concurrently.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 3 * 128)]
    struct Counters
    {
        [FieldOffset(128)] public long Delivered;
        [FieldOffset(256)] public long Dropped;
    }

    Counters _counters;
    long _expected = long.MaxValue;
    readonly ManualResetEventSlim _complete = new(false);

    public long Delivered => Volatile.Read(ref _counters.Delivered);

    public long Dropped => Volatile.Read(ref _counters.Dropped);

    /// <summary>
    /// Zero the counters and expect <paramref name="expected"/> events. Call only while no events are in flight.
    /// </summary>
    public void Reset(long expected)
    {
        Volatile.Write(ref _expected, long.MaxValue);
        _complete.Reset();
        Interlocked.Exchange(ref _counters.Delivered, 0);
        Interlocked.Exchange(ref _counters.Dropped, 0);
        Volatile.Write(ref _expected, expected);
    }

    public void AddDelivered(long count)
    {
        var delivered = Interlocked.Add(ref _counters.Delivered, count);
        if (delivered + Volatile.Read(ref _counters.Dropped) >= Volatile.Read(ref _expected)) _complete.Set();
    }

    public void AddDropped(long count)
    {
        var dropped = Interlocked.Add(ref _counters.Dropped, count);
        if (dropped + Volatile.Read(ref _counters.Delivered) >= Volatile.Read(ref _expected)) _complete.Set();
    }

    /// <returns><see langword="true"/> when every expected event was accounted for in time.</returns>
    public bool Wait(TimeSpan timeout) => _complete.Wait(timeout);

    public void Dispose() => _complete.Dispose();
}
