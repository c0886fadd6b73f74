using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// Batched entries, one side at a time: the producers fill the stream with no collector running, then the collector
/// drains it with no producer running. What each side does alone is the most it can do; the slower of the two, and
/// how much of the machine each needs, say what limits the run with both.
/// </summary>
/// <param name="Producers">What each producer process measured.</param>
/// <param name="ProducersRedisCpuSeconds">redis-server's CPU time while the producers ran.</param>
/// <param name="Delivered">Measured events the collector received, each once.</param>
/// <param name="Completed">Every producer reported and every event arrived before the wait gave up.</param>
/// <param name="WarmUps">Warm-up events the collector read before the measured ones (its CPU time covers them
/// too).</param>
/// <param name="CollectorSeconds">From the collector's creation to the last event it received: the drain of every
/// event in the stream, warm-up included (a rate timed from its first event would leave out its first read, a large
/// part of a short run).</param>
/// <param name="CollectorCosts">The benchmark process's CPU time, allocations and garbage collector pauses while the
/// collector drained the stream.</param>
/// <param name="CollectorRedisCpuSeconds">redis-server's CPU time meanwhile.</param>
/// <param name="CollectorTimes">The collector's listener thread meanwhile.</param>
sealed record StagedRunResult(
    int EventsPerProducer,
    IReadOnlyList<ProducerResult> Producers,
    double ProducersRedisCpuSeconds,
    long Delivered,
    long Duplicates,
    bool Completed,
    long WarmUps,
    double CollectorSeconds,
    ProcessCosts CollectorCosts,
    double CollectorRedisCpuSeconds,
    CollectorTimes CollectorTimes)
{
    public long Events => (long)Producers.Count * EventsPerProducer;

    public bool AllDelivered => Completed && Delivered == Events && Duplicates == 0 && Producers.Sum(p => p.Failed) == 0;

    /// <summary>All events over the slowest producer's time, its flush into Redis included.</summary>
    public double ProducersEventsPerSecond => Events / (Producers.Max(p => p.TotalNanoseconds) / 1e9);

    /// <summary>Every event in the stream, warm-up included, over <see cref="CollectorSeconds"/>.</summary>
    public double CollectorEventsPerSecond => (Delivered + WarmUps) / CollectorSeconds;

    public double ProducersCpuNanosecondsPerEvent => Producers.Sum(p => p.CpuNanoseconds) / Events;

    /// <summary>Over every event the collector read, warm-up included.</summary>
    public double CollectorCpuNanosecondsPerEvent => CollectorCosts.Cpu.TotalNanoseconds / (Delivered + WarmUps);

    public double ProducersAllocatedBytesPerEvent => Producers.Sum(p => p.AllocatedBytes) / Events;

    public double CollectorAllocatedBytesPerEvent => (double)CollectorCosts.AllocatedBytes / (Delivered + WarmUps);

    public double ProducersRedisCpuNanosecondsPerEvent => ProducersRedisCpuSeconds * 1e9 / Events;

    public double CollectorRedisCpuNanosecondsPerEvent => CollectorRedisCpuSeconds * 1e9 / (Delivered + WarmUps);
}
