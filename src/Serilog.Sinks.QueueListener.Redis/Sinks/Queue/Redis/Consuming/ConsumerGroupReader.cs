using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads a stream as one consumer of a group, in three phases: first the entries this consumer read before and never
/// acknowledged (its pending list, <c>XREADGROUP ... 0</c>), for a consumer restarted under its old name; then the
/// entries other consumers have held longer than the claim idle time (<c>XAUTOCLAIM</c>), for a consumer that died;
/// then new entries (<c>XREADGROUP ... &gt;</c>), sweeping the group for idle entries again every claim idle time,
/// after looking for entries pending with this consumer that it no longer holds.
/// </summary>
/// <remarks>An entry that comes back in the first two phases has been delivered before and not acknowledged: its
/// consumer died or stopped first, or it was slow. Its delivery count tells a crash that keeps happening (a poison
/// entry, which would stop the group forever) from a crash that happened once: past the delivery limit it is set
/// apart, for the queue to report and acknowledge. Not thread-safe: <see cref="EntryIntake"/> calls it under its
/// read lock.</remarks>
sealed class ConsumerGroupReader
{
    enum Phase
    {
        OwnPending,
        Claim,
        New,
        LostReplies,
    }

    static readonly RedisValue StartOfStream = "0-0";

    readonly RedisConnection _connection;

    /// <summary>The database, once the first attempt to connect has ended (see <see cref="RedisConnection"/>); used
    /// on the listener's thread, and at disposal.</summary>
    IDatabase Database => _connection.Database;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly int _readCount;
    readonly TimeSpan _claimIdleTime;
    readonly StreamGroup _group;
    readonly DeliveryLimit _deliveryLimit;

    Phase _phase = Phase.OwnPending;

    /// <summary>In <see cref="Phase.OwnPending"/>, the id of the last pending entry read; in
    /// <see cref="Phase.Claim"/>, where <c>XAUTOCLAIM</c> goes on.</summary>
    RedisValue _cursor = StartOfStream;

    /// <summary>When the last claim sweep ended.</summary>
    DateTime _lastSweep;

    /// <summary>In <see cref="Phase.LostReplies"/>: where the pass over this consumer's pending list goes on (an
    /// exclusive start, <c>(id</c>), and the phase and cursor to go back to after it.</summary>
    RedisValue _lostFrom;

    Phase _resumePhase;
    RedisValue _resumeCursor;

    /// <param name="connection">Where the stream is.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="consumerName">This consumer's name within the group.</param>
    /// <param name="options">The group, and how many entries to read, when to claim and what is poison.</param>
    public ConsumerGroupReader(RedisConnection connection, RedisKey streamKey, RedisValue consumerName, RedisStreamQueueOptions options)
    {
        _connection = connection;
        _streamKey = streamKey;
        _groupName = options.GroupName;
        _consumerName = consumerName;
        _readCount = options.ReadCount;
        _claimIdleTime = options.ClaimIdleTime;
        _group = new StreamGroup(connection, streamKey, _groupName);
        _deliveryLimit = new DeliveryLimit(connection, streamKey, _groupName, consumerName, options.MaxDeliveryCount);
    }

    /// <summary>
    /// The next entries for this consumer, or none when there is nothing new. An entry that
    /// <paramref name="isHeld"/> says the caller already holds (one it read and has not acknowledged, which a claim
    /// sweep took back from this very consumer because the sinks were slow) is left out, so that no process hands out
    /// the same entry twice.
    /// </summary>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses a command.</exception>
    public GroupRead Read(Func<RedisValue, bool> isHeld)
    {
        while (true)
        {
            var read = _phase switch
            {
                Phase.OwnPending => ReadOwnPending(isHeld),
                Phase.Claim => Claim(isHeld),
                Phase.LostReplies => ReadLostReplies(isHeld),
                _ => ReadNew(),
            };
            if (read is { } result) return result;
        }
    }

    /// <summary>
    /// Look for entries pending with this consumer that the caller no longer holds, at the next read, then go on where
    /// it was. Called after a command whose reply was lost (it timed out, or the connection failed): Redis may have
    /// run it all the same, delivering entries to this consumer that the caller never got (an
    /// <c>XREADGROUP ... &gt;</c> or an <c>XAUTOCLAIM</c>, or the read before an <c>XPENDING</c> that failed); and
    /// before each claim sweep, for entries acknowledged on a primary that a failover then demoted (the
    /// <c>XACK</c> succeeded there, and the new primary never had it), which would otherwise stay pending with this
    /// consumer until its claim sweep found them idle.
    /// </summary>
    /// <remarks>They are looked for with <c>XPENDING</c> and fetched with <c>XRANGE</c>, which count no delivery:
    /// re-reading them with <c>XREADGROUP ... 0</c> would count one at each attempt, and during a stall every
    /// attempt times out and still runs later, so a long enough stall would take a healthy entry past the delivery
    /// limit and drop it as poison. Entries the caller holds are left out.</remarks>
    public void RecoverLostReplies()
    {
        if (_phase == Phase.LostReplies) return;

        _resumePhase = _phase;
        _resumeCursor = _cursor;
        _phase = Phase.LostReplies;
        _lostFrom = "-";
    }

    /// <returns>The next page of entries pending with this consumer that the caller does not hold, with those
    /// deleted from the stream since as entries without fields, or <see langword="null"/> to go on.</returns>
    GroupRead? ReadLostReplies(Func<RedisValue, bool> isHeld)
    {
        var pending = _group.Run(() => Database.StreamPendingMessages(_streamKey, _groupName, _readCount, _consumerName,
            _lostFrom, "+"));
        if (pending.Length == 0)
        {
            _phase = _resumePhase;
            _cursor = _resumeCursor;
            return null;
        }

        _lostFrom = "(" + pending[pending.Length - 1].MessageId;
        var entries = new List<StreamEntry>();
        foreach (var message in pending)
        {
            if (isHeld(message.MessageId)) continue;

            var found = Database.StreamRange(_streamKey, message.MessageId, message.MessageId, 1);
            entries.Add(found.Length == 1 ? found[0] : new StreamEntry(message.MessageId, []));
        }

        return entries.Count == 0 ? null : new GroupRead(entries, [], [], FoundAgain: true);
    }

    /// <summary>
    /// The next of this consumer's pending entries, one at a time: each read counts a delivery of what it returns, and
    /// the queue reads again only once the listener has written (and acknowledged) what it holds. So when an entry
    /// kills the collector each time it is written, each restart counts a delivery of that entry alone: the entries
    /// before it are written and acknowledged one by one, those after it are not read, and only it reaches the
    /// delivery limit. Read a page at a time, every entry of the page would count a delivery at each restart, and
    /// the whole page would reach the limit with it and be dropped as poison. Only a restarted consumer has pending
    /// entries here, at most the few pages it read last.
    /// </summary>
    /// <returns>The next pending entry, or <see langword="null"/> to go on.</returns>
    GroupRead? ReadOwnPending(Func<RedisValue, bool> isHeld)
    {
        var entries = _group.Run(() => Database.StreamReadGroup(_streamKey, _groupName, _consumerName, _cursor, 1));
        if (entries.Length == 0)
        {
            _phase = Phase.Claim;
            _cursor = StartOfStream;
            return null;
        }

        _cursor = entries[entries.Length - 1].Id;
        var read = _deliveryLimit.SetApartPoison(entries.Where(e => !isHeld(e.Id)).ToArray(), []);
        return read.IsEmpty ? null : read;
    }

    /// <returns>The entries of the next claim, or <see langword="null"/> to go on.</returns>
    GroupRead? Claim(Func<RedisValue, bool> isHeld)
    {
        var result = _group.Run(() => Database.StreamAutoClaim(_streamKey, _groupName, _consumerName,
            (long)_claimIdleTime.TotalMilliseconds, _cursor, _readCount));
        _cursor = result.NextStartId;
        if (_cursor.IsNullOrEmpty || _cursor == StartOfStream)
        {
            _phase = Phase.New;
            _lastSweep = DateTime.UtcNow;
        }

        // XAUTOCLAIM lists deleted entries whatever their idle time, this consumer's own among them.
        var claimed = (result.ClaimedEntries ?? []).Where(e => !isHeld(e.Id)).ToArray();
        var deleted = (result.DeletedIds ?? []).Where(id => !isHeld(id)).ToArray();
        var read = _deliveryLimit.SetApartPoison(claimed, deleted);
        return read.IsEmpty ? null : read;
    }

    /// <returns>New entries, maybe none; or <see langword="null"/> when it is time for a claim sweep first.</returns>
    GroupRead? ReadNew()
    {
        if (DateTime.UtcNow - _lastSweep >= _claimIdleTime)
        {
            // First this consumer's own pending entries that it no longer holds, then the group's idle ones.
            _phase = Phase.Claim;
            _cursor = StartOfStream;
            RecoverLostReplies();
            return null;
        }

        var entries = _group.Run(() => Database.StreamReadGroup(_streamKey, _groupName, _consumerName, StreamPosition.NewMessages, _readCount));
        return entries.Length == 0 ? GroupRead.Nothing : new GroupRead(entries, [], []);
    }
}
