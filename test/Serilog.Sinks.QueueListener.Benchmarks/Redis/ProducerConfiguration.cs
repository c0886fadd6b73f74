namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// How a producer process of the <c>redis</c> mode logs; every configuration but <see cref="InProcessQueue"/> ends in
/// the same stream, read by the same collector.
/// </summary>
enum ProducerConfiguration
{
    /// <summary><c>WriteTo.Queue(a =&gt; a.RedisStream(redis, key))</c>: the default <c>batchSizeLimit</c> (1,000),
    /// so that a busy producer puts many events in each entry.</summary>
    QueueBatched,

    /// <summary>The same with <c>batchSizeLimit: 1</c>: one event per entry, one <c>XADD</c> per event, still off
    /// the caller's thread.</summary>
    QueueOnePerEntry,

    /// <summary>The naive baseline: a synchronous sink doing one <c>XADD</c> per event on the caller's thread, no
    /// queue (<see cref="NaiveStreamSink"/>).</summary>
    NaiveXadd,

    /// <summary><c>WriteTo.Queue</c> into a counting sink in the producer process, no Redis: what the caller pays
    /// for the queue alone, measured by the same processes in the same run.</summary>
    InProcessQueue,
}
