using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads a stream as one consumer of a group, in three phases: first the entries this consumer read before and never
/// acknowledged (its pending list, <c>XREADGROUP ... 0</c>), for a consumer restarted under its old name; then the
/// entries other consumers have held longer than the claim idle time (<c>XAUTOCLAIM</c>), for a consumer that died;
/// then new entries (<c>XREADGROUP ... &gt;</c>), sweeping the group for idle entries again every claim idle time.
/// </summary>
/// <remarks>Not thread-safe: <see cref="RedisStreamQueue"/> calls <see cref="Read"/> under its read lock.</remarks>
sealed class ConsumerGroupReader
{
    enum Phase
    {
        OwnPending,
        Claim,
        New,
    }

    static readonly RedisValue StartOfStream = "0-0";

    readonly IDatabase _database;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly int _readCount;
    readonly TimeSpan _claimIdleTime;

    Phase _phase = Phase.OwnPending;

    /// <summary>In <see cref="Phase.OwnPending"/>, the id of the last pending entry read; in
    /// <see cref="Phase.Claim"/>, where <c>XAUTOCLAIM</c> goes on.</summary>
    RedisValue _cursor = StartOfStream;

    /// <summary>When the last claim sweep ended.</summary>
    DateTime _lastSweep;

    bool _groupReady;

    public ConsumerGroupReader(IDatabase database, RedisKey streamKey, RedisValue groupName, RedisValue consumerName,
        int readCount, TimeSpan claimIdleTime)
    {
        _database = database;
        _streamKey = streamKey;
        _groupName = groupName;
        _consumerName = consumerName;
        _readCount = readCount;
        _claimIdleTime = claimIdleTime;
    }

    /// <summary>
    /// The next entries for this consumer, or none when there is nothing new. An entry that
    /// <paramref name="isHeld"/> says the caller already holds (one it read and has not acknowledged, which a claim
    /// sweep took back from this very consumer because the sinks were slow) is left out, so that no process hands out
    /// the same entry twice.
    /// </summary>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses a command.</exception>
    public IReadOnlyList<StreamEntry> Read(Func<RedisValue, bool> isHeld)
    {
        if (!_groupReady) CreateGroup();

        while (true)
        {
            var entries = _phase switch
            {
                Phase.OwnPending => ReadOwnPending(isHeld),
                Phase.Claim => Claim(isHeld),
                _ => ReadNew(),
            };
            if (entries is not null) return entries;
        }
    }

    /// <returns>The next page of this consumer's pending entries, or <see langword="null"/> to go on.</returns>
    StreamEntry[]? ReadOwnPending(Func<RedisValue, bool> isHeld)
    {
        var entries = WithGroup(() => _database.StreamReadGroup(_streamKey, _groupName, _consumerName, _cursor, _readCount));
        if (entries.Length == 0)
        {
            _phase = Phase.Claim;
            _cursor = StartOfStream;
            return null;
        }

        _cursor = entries[entries.Length - 1].Id;
        var notHeld = entries.Where(e => !isHeld(e.Id)).ToArray();
        return notHeld.Length > 0 ? notHeld : null;
    }

    /// <returns>The entries of the next claim, or <see langword="null"/> to go on.</returns>
    StreamEntry[]? Claim(Func<RedisValue, bool> isHeld)
    {
        var result = WithGroup(() => _database.StreamAutoClaim(_streamKey, _groupName, _consumerName,
            (long)_claimIdleTime.TotalMilliseconds, _cursor, _readCount));
        _cursor = result.NextStartId;
        if (_cursor.IsNullOrEmpty || _cursor == StartOfStream)
        {
            _phase = Phase.New;
            _lastSweep = DateTime.UtcNow;
        }

        var claimed = (result.ClaimedEntries ?? []).Where(e => !isHeld(e.Id)).ToArray();
        return claimed.Length > 0 ? claimed : null;
    }

    /// <returns>New entries, maybe none; or <see langword="null"/> when it is time for a claim sweep first.</returns>
    StreamEntry[]? ReadNew()
    {
        if (DateTime.UtcNow - _lastSweep >= _claimIdleTime)
        {
            _phase = Phase.Claim;
            _cursor = StartOfStream;
            return null;
        }

        return WithGroup(() => _database.StreamReadGroup(_streamKey, _groupName, _consumerName, StreamPosition.NewMessages, _readCount));
    }

    /// <summary>Acknowledge <paramref name="ids"/> in the group.</summary>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the command.</exception>
    public void Acknowledge(RedisValue[] ids) => _database.StreamAcknowledge(_streamKey, _groupName, ids);

    T WithGroup<T>(Func<T> command)
    {
        try
        {
            return command();
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The stream (and its group with it) was deleted since: start again from its beginning.
            CreateGroup();
            return command();
        }
    }

    /// <summary>Create the group from the start of the stream, so that events added before the first listener
    /// started are read too; creating the stream if there is none yet.</summary>
    void CreateGroup()
    {
        try
        {
            _database.StreamCreateConsumerGroup(_streamKey, _groupName, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another listener of the group created it first.
        }

        _groupReady = true;
    }
}
