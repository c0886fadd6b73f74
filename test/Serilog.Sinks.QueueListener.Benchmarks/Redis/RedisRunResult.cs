using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// One configuration, run once: at full speed (<see cref="Rate"/> is <see langword="null"/>) or paced.
/// </summary>
/// <param name="Producers">What each producer process measured, in producer order.</param>
/// <param name="Delivered">Measured events the collector received, each counted once; for
/// <see cref="ProducerConfiguration.InProcessQueue"/>, what the producers' own counting sinks received.</param>
/// <param name="Duplicates">Events the collector received more than once.</param>
/// <param name="Completed">Every producer reported and every event arrived before the wait gave up.</param>
/// <param name="FirstToLastSeconds">From the first measured event the collector received to the last.</param>
/// <param name="WindowSeconds">From the producers' release to the last delivery (to the last producer's result, in
/// process): the window of the CPU times.</param>
/// <param name="DeliveryMilliseconds">Delivery latency percentiles (p50, p99, p99.9, max), from an event's timestamp
/// to its arrival at the collector; empty in process.</param>
/// <param name="ToRedisMilliseconds">The first part of the way, from an event's timestamp to the moment Redis added
/// its entry (the entry id's time, to the millisecond): p50, p99, max; empty in process.</param>
/// <param name="ProducersCpuSeconds">The producer processes' CPU time, all threads, from their release to the end of
/// their disposal.</param>
/// <param name="RedisCpuSeconds">redis-server's CPU time over the window.</param>
/// <param name="CollectorCosts">The benchmark process's CPU time, allocations and garbage collector pauses over the
/// window: the collector's listener thread, the Redis connection's threads, the garbage collector.</param>
/// <param name="CollectorTimes">The collector's listener thread over the window.</param>
/// <param name="CollectorFailureReports">Failures the collector reported.</param>
sealed record RedisRunResult(
    ProducerConfiguration Configuration,
    int? Rate,
    int EventsPerProducer,
    IReadOnlyList<ProducerResult> Producers,
    long Delivered,
    long Duplicates,
    bool Completed,
    double FirstToLastSeconds,
    double WindowSeconds,
    IReadOnlyList<double> DeliveryMilliseconds,
    IReadOnlyList<double> ToRedisMilliseconds,
    double ProducersCpuSeconds,
    double RedisCpuSeconds,
    ProcessCosts CollectorCosts,
    CollectorTimes CollectorTimes,
    long CollectorFailureReports)
{
    public long Events => (long)Producers.Count * EventsPerProducer;

    public double CollectorCpuSeconds => CollectorCosts.Cpu.TotalSeconds;

    public long Lost => Events - Delivered;

    /// <summary>Events the producers' failure listeners were told of: never written.</summary>
    public long Failed => Producers.Sum(p => p.Failed);

    public bool AllDelivered => Completed && Lost == 0 && Duplicates == 0 && Failed == 0;

    /// <summary>Through Redis: as the collector saw them, first to last. In process: all events over the slowest
    /// producer's time, its disposal included.</summary>
    public double EventsPerSecond => Configuration.UsesRedis()
        ? (Delivered - 1) / FirstToLastSeconds
        : Events / (Producers.Max(p => p.TotalNanoseconds) / 1e9);

    /// <summary>The time inside the log calls per call, averaged over the producers.</summary>
    public double ProducerNanosecondsPerCall => Producers.Average(p => p.NanosecondsPerCall);

    /// <summary>A producer's whole time per event, its disposal (the drain into Redis) included.</summary>
    public double ProducerTotalNanosecondsPerEvent => Producers.Average(p => p.TotalNanoseconds / p.Calls);

    /// <summary>The producers' calling threads' CPU time, and their other threads' (the queue's listener, the Redis
    /// connection, the garbage collector), in seconds.</summary>
    public (double Callers, double Others) ProducersCpuSplit
    {
        get
        {
            var callers = Producers.Sum(p => p.CallerCpuNanoseconds) / 1e9;
            return (callers, ProducersCpuSeconds - callers);
        }
    }

    /// <summary>All events over the time from the producers' release to the last delivery.</summary>
    public double EventsPerSecondFromRelease => Events / WindowSeconds;

    public double DeliveryP50 => Delivery(0);

    public double DeliveryP99 => Delivery(1);

    public double DeliveryP999 => Delivery(2);

    public double DeliveryMax => Delivery(3);

    /// <summary>The CPU time per event of the producers, redis-server and the collector, in nanoseconds.</summary>
    public (double Producers, double Redis, double Collector) CpuNanosecondsPerEvent =>
        (ProducersCpuSeconds * 1e9 / Events, RedisCpuSeconds * 1e9 / Events, CollectorCpuSeconds * 1e9 / Events);

    /// <summary>Bytes allocated per event by the producer processes and by the collector's.</summary>
    public (double Producers, double Collector) AllocatedBytesPerEvent =>
        (Producers.Sum(p => p.AllocatedBytes) / Events, (double)CollectorCosts.AllocatedBytes / Events);

    /// <summary>The garbage collector's pauses, in milliseconds: the longest producer's, and the collector's.</summary>
    public (double Producers, double Collector) GcPauseMilliseconds =>
        (Producers.Max(p => p.GcPauseNanoseconds) / 1e6, CollectorCosts.GcPause.TotalMilliseconds);

    /// <summary>All the CPU time over the window: how many of the machine's cores the run kept busy.</summary>
    public double CoresBusy => (ProducersCpuSeconds + RedisCpuSeconds + CollectorCpuSeconds) / WindowSeconds;

    /// <summary>Paced: the rate the producers achieved together.</summary>
    public double SentPerSecond => Producers.Sum(p => p.SentPerSecond);

    /// <summary>Paced: whether the producers kept to the schedule (within 5 % of the rate).</summary>
    public bool KeptUp => Rate is { } rate && SentPerSecond >= 0.95 * rate;

    double Delivery(int index) => DeliveryMilliseconds.Count > index ? DeliveryMilliseconds[index] : double.NaN;
}
