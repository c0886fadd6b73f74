using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Accounts for every event of a repetition: delivered to the sink or reported dropped. Signals once every event
/// is accounted for, which is how a run knows that the last event has left the pipeline.
/// </summary>
/// <remarks>
/// <para>The measured pipelines report a drop on the thread that logs, before the call returns. So once the last
/// producer is done, the number of drops is final, and the sink only has to wait for the rest:
/// <see cref="_deliveredTarget"/> is published then, and until then it is out of reach. This keeps the two sides
/// off each other's cache lines while they run: the sink reads only a field written once per repetition, and
/// dropping producers touch only <see cref="Counters.Dropped"/>. A tally in which each side read the other's
/// counter on every event would slow the listener down in the dropping modes, and measure itself.</para>
/// <para>The race at the end: the sink increments <see cref="Counters.Delivered"/> then reads the target; the last
/// producer writes the target then reads the delivered count. Both are interlocked operations (full fences), so
/// at least one of them sees the other's write and signals; both may, which is harmless. A drop reported later,
/// off the producers' threads, would leave the signal unset: the run then times out and says so.</para>
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
    int _producersRunning;
    readonly ManualResetEventSlim _complete = new(false);

    public long Delivered => Volatile.Read(ref _counters.Delivered);

    public long Dropped => Volatile.Read(ref _counters.Dropped);

    /// <summary>
    /// Zero the counters and expect <paramref name="expected"/> events from <paramref name="producers"/> producers,
    /// each of which calls <see cref="ProducerDone"/> when it has logged its share. Call only while no events are in
    /// flight.
    /// </summary>
    public void Reset(long expected, int producers)
    {
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

    public void AddDropped(long count) => Interlocked.Add(ref _counters.Dropped, count);

    /// <summary>Called by each producer after its last call: the last one fixes how many deliveries to wait for.</summary>
    public void ProducerDone()
    {
        if (Interlocked.Decrement(ref _producersRunning) != 0) return;

        var target = _expected - Volatile.Read(ref _counters.Dropped);
        Interlocked.Exchange(ref _counters.DeliveredTarget, target);
        if (Volatile.Read(ref _counters.Delivered) >= target) _complete.Set();
    }

    /// <returns><see langword="true"/> when every expected event was accounted for in time.</returns>
    public bool Wait(TimeSpan timeout) => _complete.Wait(timeout);

    public void Dispose() => _complete.Dispose();
}
