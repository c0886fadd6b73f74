namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>What a run of the <c>redis</c> mode needs of the Redis it runs against: one private server
/// (<see cref="PrivateRedisServer"/>) or a private cluster (<see cref="PrivateRedisCluster"/>).</summary>
interface IBenchmarkRedis
{
    /// <summary>The StackExchange.Redis configuration string.</summary>
    string Configuration { get; }

    /// <summary>The CPU time of its server processes so far, user and kernel.</summary>
    TimeSpan CpuTime { get; }

    /// <summary>Delete the stream <paramref name="key"/>, and the keys of its shards.</summary>
    void DeleteKey(string key);
}
