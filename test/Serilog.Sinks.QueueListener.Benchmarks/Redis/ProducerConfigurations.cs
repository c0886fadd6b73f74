namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// Names for the report and the command line.
/// </summary>
static class ProducerConfigurations
{
    /// <summary>In the order they run and are reported: the transport's two shapes, the baseline, then the
    /// in-process reference.</summary>
    public static IReadOnlyList<ProducerConfiguration> All { get; } = Enum.GetValues<ProducerConfiguration>();

    public static string DisplayName(this ProducerConfiguration configuration) => configuration switch
    {
        ProducerConfiguration.QueueBatched => "Queue → RedisStream, batched (1,000)",
        ProducerConfiguration.QueueOnePerEntry => "Queue → RedisStream, 1 per entry",
        ProducerConfiguration.NaiveXadd => "Naive: sync XADD per event",
        ProducerConfiguration.InProcessQueue => "Queue → counting sink (no Redis)",
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, "Not a producer configuration."),
    };

    /// <summary>Whether each event waits for a Redis round trip of its own: the caller itself (naive), or the queue's
    /// listener, which keeps one <c>XADD</c> in flight (one per entry).</summary>
    public static bool WaitsForEachEvent(this ProducerConfiguration configuration) =>
        configuration is ProducerConfiguration.QueueOnePerEntry or ProducerConfiguration.NaiveXadd;

    /// <summary>Whether the events go through Redis to the collector.</summary>
    public static bool UsesRedis(this ProducerConfiguration configuration) =>
        configuration != ProducerConfiguration.InProcessQueue;
}
