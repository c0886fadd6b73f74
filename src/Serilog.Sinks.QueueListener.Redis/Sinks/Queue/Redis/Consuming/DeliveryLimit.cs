using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Sets apart, among entries delivered to a consumer before and now pending with it again, those delivered more often
/// than the limit without being acknowledged: poison, whose writing keeps killing its consumer and would otherwise
/// stop the group for good.
/// </summary>
/// <remarks>Delivery counts come from <c>XPENDING</c>, which counts no delivery itself. Not thread-safe: the
/// reader's, used under the intake's read lock.</remarks>
sealed class DeliveryLimit
{
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly int _maxDeliveryCount;

    public DeliveryLimit(RedisConnection connection, RedisKey streamKey, RedisValue groupName, RedisValue consumerName, int maxDeliveryCount)
    {
        _connection = connection;
        _streamKey = streamKey;
        _groupName = groupName;
        _consumerName = consumerName;
        _maxDeliveryCount = maxDeliveryCount;
    }

    /// <summary>Look up the delivery counts of <paramref name="entries"/>, delivered before, now pending with this
    /// consumer; those past the limit are poison.</summary>
    /// <param name="entries">The entries read, oldest first.</param>
    /// <param name="deleted">The ids of pending entries found deleted, passed on as they are.</param>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses a command.</exception>
    public GroupRead SetApartPoison(StreamEntry[] entries, RedisValue[] deleted)
    {
        if (entries.Length == 0) return new GroupRead([], [], deleted);

        var deliveries = PendingDeliveries(entries[0].Id, entries[entries.Length - 1].Id, entries.Length);
        foreach (var entry in entries)
        {
            // The range may hold other entries of this consumer (ones the queue still holds) before this one.
            if (deliveries.ContainsKey(entry.Id.ToString())) continue;
            foreach (var pending in PendingDeliveries(entry.Id, entry.Id, 1))
            {
                deliveries[pending.Key] = pending.Value;
            }
        }

        var good = new List<StreamEntry>(entries.Length);
        var poison = new List<(StreamEntry, long)>();
        foreach (var entry in entries)
        {
            if (deliveries.TryGetValue(entry.Id.ToString(), out var count) && count > _maxDeliveryCount)
            {
                poison.Add((entry, count));
            }
            else
            {
                good.Add(entry);
            }
        }

        return new GroupRead(good, poison, deleted);
    }

    Dictionary<string, long> PendingDeliveries(RedisValue first, RedisValue last, int count) =>
        _connection.Database.StreamPendingMessages(_streamKey, _groupName, count, _consumerName, first, last)
            .ToDictionary(p => p.MessageId.ToString(), p => (long)p.DeliveryCount, StringComparer.Ordinal);
}
