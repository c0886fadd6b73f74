using Serilog.Configuration;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using StackExchange.Redis;

namespace Serilog;

/// <summary>
/// Adds <c>WriteTo.RedisStream(...)</c> to <see cref="LoggerSinkConfiguration"/>: the producer side of the Redis
/// transport, meant for the inside of <c>WriteTo.Queue</c>, as in
/// <c>WriteTo.Queue(a =&gt; a.RedisStream("localhost:6379", "logs"))</c>.
/// </summary>
public static class RedisLoggerConfigurationExtensions
{
    const int DefaultBatchSizeLimit = 1000;
    const int DefaultMaxStreamLength = 100_000;

    /// <summary>
    /// Write events to the Redis stream <paramref name="streamKey"/> as compact JSON, many events per entry when
    /// they come quickly (see FORMAT.md in the package). A <c>RedisStreamQueue</c> under a
    /// <c>QueueListener</c>, in this process or another, reads them.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, as in <c>"localhost:6379"</c>. The
    /// sink opens its own connection in the background (the logger is created at once), and closes it when disposed;
    /// Redis being down at start is not an error.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="batchSizeLimit">The most events in one stream entry, from 1 to 100,000. An entry also takes no
    /// more events once its lines reach 64 KiB.</param>
    /// <param name="restrictedToMinimumLevel">The minimum level of events to write.</param>
    /// <param name="maxStreamLength">The most entries the stream may hold, from 1 to 1,000,000,000, by default
    /// 100,000: at that length the producer waits for collectors to acknowledge and trim, and the queue in front
    /// applies its <c>fullMode</c>. Nothing unread is ever trimmed. An entry holds one event when they come slowly
    /// and up to <paramref name="batchSizeLimit"/> when they come quickly, so Redis holds at most about
    /// <c>maxStreamLength × batchSizeLimit</c> events of this stream.</param>
    /// <param name="waitForReplicas">How many replicas must acknowledge each entry (<c>WAIT</c>, for at most 1 s)
    /// before its batch counts as sent, from 0 to 100; by default 0, which waits for none. Fewer is an outage:
    /// reported, the batch held and retried (the entry is not added twice while the stream holds it), the events
    /// behind it waiting, as when Redis is away. It narrows what a failover can lose; it does not make Redis's
    /// replication synchronous (see docs/redis.md).</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="batchSizeLimit"/>,
    /// <paramref name="maxStreamLength"/> or <paramref name="waitForReplicas"/> is out of range.</exception>
    // Seven parameters, over the house limit of five, on purpose: Serilog.Settings.Configuration binds a sink's "Args"
    // to the method's parameters by name, and each of these is a setting a JSON file must be able to give (the
    // connection, the stream, the entry size, the level, the bound, the replicas). Flat parameters are what every
    // Serilog sink offers there ("Args": { "maxStreamLength": 10000 }); an options object would nest them one level
    // deeper.
    public static LoggerConfiguration RedisStream(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        string configuration,
        string streamKey,
        int batchSizeLimit = DefaultBatchSizeLimit,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        int maxStreamLength = DefaultMaxStreamLength,
        int waitForReplicas = 0)
    {
        if (loggerSinkConfiguration is null) throw new ArgumentNullException(nameof(loggerSinkConfiguration));
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        RedisNames.Require(streamKey, nameof(streamKey));
        CheckBatchSizeLimit(batchSizeLimit);
        CheckMaxStreamLength(maxStreamLength);
        CheckWaitForReplicas(waitForReplicas);

        var options = RedisNames.Options(configuration);

        // The sink retries a failed XADD itself; a command that fails at once while there is no connection is known
        // not to have been added, so what the sink holds at shutdown is reported as not written rather than as
        // possibly written (a command waiting in StackExchange.Redis's backlog could be either).
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return loggerSinkConfiguration.Sink(
            new RedisStreamSink(new RedisConnection(options), new RedisStreamSinkOptions(streamKey, batchSizeLimit, maxStreamLength, waitForReplicas)),
            restrictedToMinimumLevel);
    }

    /// <summary>
    /// As the other overload, with the default batch size limit and no level restriction, over a connection the
    /// caller owns and closes (after the logger); from code only.
    /// </summary>
    /// <param name="loggerSinkConfiguration">The sink configuration.</param>
    /// <param name="connection">The connection.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty.</exception>
    public static LoggerConfiguration RedisStream(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        IConnectionMultiplexer connection,
        string streamKey)
    {
        if (loggerSinkConfiguration is null) throw new ArgumentNullException(nameof(loggerSinkConfiguration));
        if (connection is null) throw new ArgumentNullException(nameof(connection));
        RedisNames.Require(streamKey, nameof(streamKey));

        return loggerSinkConfiguration.Sink(new RedisStreamSink(new RedisConnection(connection),
            new RedisStreamSinkOptions(streamKey, DefaultBatchSizeLimit, DefaultMaxStreamLength, WaitForReplicas: 0)));
    }

    static void CheckMaxStreamLength(int maxStreamLength)
    {
        if (maxStreamLength is < 1 or > 1_000_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxStreamLength), maxStreamLength,
                "The stream length limit must be from 1 to 1,000,000,000 entries.");
        }
    }

    static void CheckWaitForReplicas(int waitForReplicas)
    {
        if (waitForReplicas is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(waitForReplicas), waitForReplicas,
                "The number of replicas to wait for must be from 0 (none) to 100.");
        }
    }

    static void CheckBatchSizeLimit(int batchSizeLimit)
    {
        if (batchSizeLimit is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSizeLimit), batchSizeLimit,
                "The batch size limit must be from 1 to 100,000 events.");
        }
    }
}
