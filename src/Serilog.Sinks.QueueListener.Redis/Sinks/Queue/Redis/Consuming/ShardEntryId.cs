using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// An entry a <see cref="RedisStreamQueue"/> read, by the shard (the index of its key, see <see cref="StreamShards"/>)
/// and its id there: entry ids are unique within a key only, and an entry is acknowledged on the key it came from.
/// </summary>
/// <param name="Shard">The index of the entry's key among the queue's keys; 0 for a stream of one key.</param>
/// <param name="Id">The entry's id in that key.</param>
readonly record struct ShardEntryId(int Shard, RedisValue Id);
