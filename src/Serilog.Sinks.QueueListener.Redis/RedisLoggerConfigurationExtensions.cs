using Serilog.Configuration;
using Serilog.Core;
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
    /// <param name="shards">How many keys the stream is spread over, from 1 to 16; by default 1, the key
    /// <paramref name="streamKey"/> itself. With N over 1 the keys are <c>streamKey:{tag}</c>, one per shard, with hash
    /// tags chosen to fall in different slot ranges of a cluster (see docs/redis.md), and up to N entries are in
    /// flight at once, one per key. Order is kept within a key only; <paramref name="maxStreamLength"/> and
    /// <paramref name="waitForReplicas"/> apply to each key. Collectors must read the same number of shards
    /// (<c>RedisStreamQueueOptions.Shards</c>).</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty, or holds a brace while
    /// <paramref name="shards"/> is over 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="batchSizeLimit"/>,
    /// <paramref name="maxStreamLength"/>, <paramref name="waitForReplicas"/> or <paramref name="shards"/> is out of
    /// range.</exception>
    // Eight parameters, over the house limit of five, on purpose: Serilog.Settings.Configuration binds a sink's "Args"
    // to the method's parameters by name, and each of these is a setting a JSON file must be able to give (the
    // connection, the stream, the entry size, the level, the bound, the replicas, the shards). Flat parameters are
    // what every Serilog sink offers there ("Args": { "shards": 3 }); an options type would nest them one level
    // deeper in JSON ("Args": { "options": { "shards": 3 } }), bind only through a public settable class, and break
    // every configuration file written for the parameters. Each is optional and named at the call, so the count costs
    // a reader of the call nothing; the collector, which JSON does not build, takes an options type instead.
    public static LoggerConfiguration RedisStream(
        this LoggerSinkConfiguration loggerSinkConfiguration,
        string configuration,
        string streamKey,
        int batchSizeLimit = DefaultBatchSizeLimit,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        int maxStreamLength = DefaultMaxStreamLength,
        int waitForReplicas = 0,
        int shards = 1)
    {
        if (loggerSinkConfiguration is null) throw new ArgumentNullException(nameof(loggerSinkConfiguration));
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        RedisNames.Require(streamKey, nameof(streamKey));
        CheckBatchSizeLimit(batchSizeLimit);
        CheckMaxStreamLength(maxStreamLength);
        CheckWaitForReplicas(waitForReplicas);
        StreamShards.CheckCount(shards, nameof(shards));
        StreamShards.CheckKey(streamKey, shards, nameof(streamKey));

        var options = RedisNames.Options(configuration);

        // The sink retries a failed XADD itself; a command that fails at once while there is no connection is known
        // not to have been added, so what the sink holds at shutdown is reported as not written rather than as
        // possibly written (a command waiting in StackExchange.Redis's backlog could be either).
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var connection = new RedisConnection(options);
        var sinkOptions = new RedisStreamSinkOptions(streamKey, batchSizeLimit, maxStreamLength, waitForReplicas);
        ILogEventSink sink = shards == 1
            ? new RedisStreamSink(connection, sinkOptions)
            : new ShardedStreamSink(connection, sinkOptions, StreamShards.KeysOf(streamKey, shards));
        return loggerSinkConfiguration.Sink(sink, restrictedToMinimumLevel);
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
