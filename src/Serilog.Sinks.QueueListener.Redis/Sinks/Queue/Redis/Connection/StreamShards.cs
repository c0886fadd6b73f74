using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The keys of one logical stream spread over several (its shards), shared by the producer and the collector so that
/// both derive the same names: with one shard the key is the user's own, <c>K</c>; with N the keys are
/// <c>K:{t0}</c> ... <c>K:{tN-1}</c>, where the hash tag <c>ti</c> is the smallest non-negative integer, written in
/// decimal, whose cluster slot lies in the i-th N-th of the slot space.
/// </summary>
/// <remarks>
/// <para>Why chosen tags rather than <c>K:{0}</c> ... <c>K:{N-1}</c>: a cluster made by <c>redis-cli --cluster
/// create</c> gives each of its masters an equal, contiguous range of the 16,384 slots, and the slots of
/// <c>{0}</c>, <c>{1}</c>, <c>{2}</c> (13907, 9842, 5649) put two of three keys on one master. Tags whose slots are
/// spread evenly over the slot space land on N different masters whenever the masters split it evenly, and
/// whatever the cluster, the names depend on nothing but N, so any tool can compute them (docs/redis.md).</para>
/// <para>The slot is Redis Cluster's: CRC16 (XMODEM: polynomial 0x1021, initial value 0) of the hash tag's bytes,
/// modulo 16,384. Pure functions: safe on any thread.</para>
/// </remarks>
static class StreamShards
{
    /// <summary>The most shards a stream may have: a collector reads each key in turn, and a cluster has rarely more
    /// masters than this.</summary>
    public const int MaxShards = 16;

    const int SlotCount = 16384;

    /// <summary>The keys of the stream <paramref name="streamKey"/> over <paramref name="shards"/> shards: the key
    /// itself for one.</summary>
    public static RedisKey[] KeysOf(string streamKey, int shards)
    {
        if (shards == 1) return [streamKey];

        var keys = new RedisKey[shards];
        for (var shard = 0; shard < shards; shard++)
        {
            keys[shard] = streamKey + ":{" + Tag(shard, shards) + "}";
        }

        return keys;
    }

    /// <summary>The hash tag of shard <paramref name="shard"/> of <paramref name="shards"/>: the smallest
    /// non-negative integer whose slot is in <c>[shard × 16384 / shards, (shard + 1) × 16384 / shards)</c>.</summary>
    public static string Tag(int shard, int shards)
    {
        var first = shard * SlotCount / shards;
        var end = (shard + 1) * SlotCount / shards;
        for (var number = 0; ; number++)
        {
            var tag = number.ToString(CultureInfo.InvariantCulture);
            var slot = SlotOf(tag);
            if (slot >= first && slot < end) return tag;
        }
    }

    /// <summary>The cluster slot of a key whose hash tag is <paramref name="hashTag"/> (or of the key itself, when it
    /// has none).</summary>
    public static int SlotOf(string hashTag)
    {
        var crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(hashTag))
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = ((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xFFFF;
            }
        }

        return (crc & 0xFFFF) % SlotCount;
    }

    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="shards"/> is not from 1 to
    /// <see cref="MaxShards"/>.</exception>
    public static int CheckCount(int shards, string parameterName)
    {
        if (shards is < 1 or > MaxShards)
        {
            throw new ArgumentOutOfRangeException(parameterName, shards, string.Format(CultureInfo.InvariantCulture,
                "The number of shards must be from 1 to {0}.", MaxShards));
        }

        return shards;
    }

    /// <summary>Check that <paramref name="streamKey"/> can be spread over <paramref name="shards"/> keys: with more
    /// than one, it must hold no brace, since Redis would take a hash tag of its own for every shard's key and put
    /// them all in one slot.</summary>
    /// <exception cref="ArgumentException">When it holds a brace and <paramref name="shards"/> is over 1.</exception>
    public static void CheckKey(string streamKey, int shards, string parameterName)
    {
        if (shards > 1 && streamKey.IndexOfAny(['{', '}']) >= 0)
        {
            throw new ArgumentException(
                "A stream spread over several shards must have a key without braces: Redis would hash every shard's key by the braces in it, to one slot.",
                parameterName);
        }
    }
}
