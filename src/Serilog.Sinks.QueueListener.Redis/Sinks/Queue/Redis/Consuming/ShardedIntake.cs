using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads every key of a <see cref="RedisStreamQueue"/>'s stream (its shards, see <see cref="StreamShards"/>) into
/// the queue's one <see cref="ReadEntries"/>, one key per read, taking turns: each key with its own intake, reader,
/// consumer group, claims, poison handling and outages (see <see cref="EntryIntake"/>). A stream of one key is the
/// case of one shard.
/// </summary>
/// <remarks>
/// <para>Why one key per read rather than one <c>XREADGROUP</c> over all keys: in a cluster the keys are in
/// different slots, on different masters, and a command over keys of several slots fails (<c>CROSSSLOT</c>). Taking
/// turns, starting after the key that found something last, gives each key its share when all are busy, and keeps
/// what the queue holds at one read's worth.</para>
/// <para>Threads: <see cref="TryRead"/> on the listener's thread only (inside <c>WaitToDequeue</c>), so
/// <see cref="_next"/> needs no lock; each intake serialises its own reads. <see cref="DroppedCount"/> on any
/// thread.</para>
/// </remarks>
sealed class ShardedIntake
{
    readonly EntryIntake[] _intakes;
    readonly ShardMismatch _mismatch;

    /// <summary>The shard whose key is read first at the next read. Listener's thread only.</summary>
    int _next;

    ShardedIntake(EntryIntake[] intakes, ShardMismatch mismatch)
    {
        _intakes = intakes;
        _mismatch = mismatch;
    }

    /// <summary>An intake per key, each reading as <paramref name="consumerName"/> of the options' group.</summary>
    public static ShardedIntake Create(RedisConnection connection, string streamKey, RedisKey[] streamKeys, RedisValue consumerName,
        RedisStreamQueueOptions options, EntryDecoder[] decoders, ReadEntries entries, Acknowledgements acknowledgements,
        QueueFailures failures)
    {
        var intakes = new EntryIntake[streamKeys.Length];
        for (var shard = 0; shard < intakes.Length; shard++)
        {
            var key = streamKeys[shard];
            intakes[shard] = new EntryIntake(shard, new ConsumerGroupReader(connection, key, consumerName, options), entries,
                decoders[shard], acknowledgements, new ReadOutage(connection, key, failures));
        }

        return new ShardedIntake(intakes, new ShardMismatch(connection, streamKey, streamKeys.Length, failures));
    }

    /// <summary>The events of poison entries over every key, reported and never written.</summary>
    public long DroppedCount => _intakes.Sum(intake => intake.DroppedCount);

    /// <summary>Whether the last read of some key found Redis out of reach.</summary>
    public bool IsOutageUnderWay => _intakes.Any(intake => intake.IsOutageUnderWay);

    /// <summary>
    /// Read the keys in turn until one adds an entry (see <see cref="EntryIntake.TryRead"/>), taking an outage of
    /// one key as nothing read there; and, when due, look for keys of the stream this queue does not read (see
    /// <see cref="ShardMismatch"/>). A fault of one key is thrown, and the next read starts at the key after it, so
    /// that one broken key does not keep the others from being read.
    /// </summary>
    /// <returns>Whether any entry was added.</returns>
    public bool TryRead()
    {
        _mismatch.CheckIfDue();
        for (var i = 0; i < _intakes.Length; i++)
        {
            var shard = (_next + i) % _intakes.Length;
            bool read;
            try
            {
                read = _intakes[shard].TryRead();
            }
            catch
            {
                _next = (shard + 1) % _intakes.Length;
                throw;
            }

            if (!read) continue;

            _next = (shard + 1) % _intakes.Length;
            return true;
        }

        return false;
    }
}
