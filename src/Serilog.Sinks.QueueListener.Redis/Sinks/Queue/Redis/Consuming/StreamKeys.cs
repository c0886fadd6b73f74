using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The keys a <see cref="RedisStreamQueue"/> reads: the stream's key as given, the key of each shard (see
/// <see cref="StreamShards"/>; the key itself for a stream of one), and the name its reports give the stream.
/// Immutable but for the turn of <see cref="NextForEnqueue"/>: safe on any thread.
/// </summary>
sealed class StreamKeys
{
    /// <summary>How many keys <see cref="NextForEnqueue"/> has handed out; <see cref="Interlocked"/>.</summary>
    int _enqueued;

    /// <param name="streamKey">The stream's key, checked (see <see cref="Check"/>).</param>
    /// <param name="shards">How many keys it is spread over.</param>
    public StreamKeys(string streamKey, int shards)
    {
        Key = streamKey;
        Shards = StreamShards.KeysOf(streamKey, shards);
        Name = shards == 1 ? streamKey : $"{streamKey} (keys {string.Join(", ", Shards)})";
    }

    /// <summary>The stream's key as given.</summary>
    public RedisKey Key { get; }

    /// <summary>The key of each shard.</summary>
    public RedisKey[] Shards { get; }

    /// <summary>The stream as reports name it: its key, with its shards' keys when it has several.</summary>
    public string Name { get; }

    /// <summary>The key to add the next single event to: the shards in turn.</summary>
    public RedisKey NextForEnqueue() => Shards[(uint)Interlocked.Increment(ref _enqueued) % (uint)Shards.Length];

    /// <summary>A key that is not empty, and holds no brace when spread over several shards.</summary>
    /// <exception cref="ArgumentNullException">When <paramref name="streamKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When it is empty, or holds a brace with several shards.</exception>
    public static string Check(string streamKey, RedisStreamQueueOptions options)
    {
        RedisNames.Require(streamKey, nameof(streamKey));
        StreamShards.CheckKey(streamKey, options.Shards, nameof(streamKey));
        return streamKey;
    }
}
