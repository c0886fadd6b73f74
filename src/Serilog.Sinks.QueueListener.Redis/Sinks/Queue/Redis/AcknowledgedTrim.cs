using Serilog.Core;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Deletes from a stream the entries every consumer group has acknowledged, and finds out whether entries were
/// deleted before the reader's group read them: the collector's side of keeping Redis's memory bounded, the
/// producer's being <see cref="CappedStreamAdd"/>.
/// </summary>
/// <remarks>
/// <para>One script, so that the groups cannot move between the look and the trim: for each group, everything
/// before its oldest pending entry, or up to its last delivered entry when nothing is pending, has been written;
/// the stream is trimmed (<c>XTRIM MINID</c>) to the least of these over all groups. A stream nobody reads through
/// a group is never trimmed. A reader that reads without a group (<c>XREAD</c>) is not waited for.</para>
/// <para>Entries deleted unread by something else (<c>XTRIM</c>, <c>XADD ... MAXLEN</c> or <c>XDEL</c> from
/// another client) are counted for the reader's group: the group has <c>entries-read</c> of the stream's
/// <c>entries-added</c>, so that many minus the entries still in the stream after its last delivered one were
/// deleted before it read them. The count is only made when at most <see cref="CountLimit"/> entries remain at or
/// before the last delivered one (else it would cost too much for a housekeeping step), and only when Redis knows
/// the group's <c>entries-read</c> (Redis 7.0 or later). The count covers the group's life, so a new process
/// reports an old loss once more.</para>
/// <para>Housekeeping: a failure is reported (once per run of failures), never thrown, and the next call tries
/// again. Not thread-safe: the queue calls it from the listener's thread, or at disposal.</para>
/// </remarks>
sealed class AcknowledgedTrim
{
    const int CountLimit = 10_000;

    const string Script = """
        local function parse(id)
          local ms, seq = string.match(id, '^(%d+)-(%d+)$')
          return tonumber(ms), tonumber(seq)
        end
        local function before(a_ms, a_seq, b_ms, b_seq)
          return a_ms < b_ms or (a_ms == b_ms and a_seq < b_seq)
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return {0, -1} end
        local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
        if #groups == 0 then return {0, -1} end
        local safe_ms, safe_seq
        local lost = -1
        for _, group in ipairs(groups) do
          local info = {}
          for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
          local last = info['last-delivered-id']
          local ms, seq = parse(last)
          if info['name'] == ARGV[1] and type(info['entries-read']) == 'number' then
            local stream = redis.call('XINFO', 'STREAM', KEYS[1])
            local added
            for i = 1, #stream, 2 do
              if stream[i] == 'entries-added' then added = stream[i + 1] end
            end
            local kept = redis.call('XRANGE', KEYS[1], '-', last, 'COUNT', tonumber(ARGV[2]) + 1)
            if added and #kept <= tonumber(ARGV[2]) then
              lost = added - info['entries-read'] - (redis.call('XLEN', KEYS[1]) - #kept)
            end
          end
          seq = seq + 1
          if info['pending'] > 0 then
            local summary = redis.call('XPENDING', KEYS[1], info['name'])
            ms, seq = parse(summary[2])
          end
          if safe_ms == nil or before(ms, seq, safe_ms, safe_seq) then safe_ms, safe_seq = ms, seq end
        end
        local trimmed = redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', safe_ms, safe_seq))
        return {trimmed, lost}
        """;

    readonly IDatabase _database;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly TimeSpan _interval;
    readonly Action<LoggingFailureKind, string, Exception?> _report;

    DateTime _lastTrim;

    /// <summary>Whether entries were acknowledged since the last trim.</summary>
    bool _due;

    /// <summary>How many entries deleted unread the last trim counted, so that each is reported once.</summary>
    long _deletedUnreadReported;

    bool _failing;

    /// <param name="database">Where the stream is.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="groupName">The reader's group, whose unread deletions are counted.</param>
    /// <param name="interval">How often at most to trim, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="report">Where failures and deletions go.</param>
    public AcknowledgedTrim(IDatabase database, RedisKey streamKey, RedisValue groupName, TimeSpan interval,
        Action<LoggingFailureKind, string, Exception?> report)
    {
        _database = database;
        _streamKey = streamKey;
        _groupName = groupName;
        _interval = interval;
        _report = report;
    }

    /// <summary>Note that entries were acknowledged, and trim when the interval has passed since the last
    /// trim.</summary>
    public void Acknowledged()
    {
        _due = true;
        if (DateTime.UtcNow - _lastTrim >= _interval) TrimIfDue();
    }

    /// <summary>Trim when entries were acknowledged since the last trim.</summary>
    public void TrimIfDue()
    {
        if (!_due || _interval == Timeout.InfiniteTimeSpan) return;

        _lastTrim = DateTime.UtcNow;
        try
        {
            var result = (RedisResult[])_database.ScriptEvaluate(Script, [_streamKey], [_groupName, CountLimit])!;
            var deletedUnread = (long)result[1];
            _due = false;
            _failing = false;
            if (deletedUnread > _deletedUnreadReported)
            {
                _report(LoggingFailureKind.Permanent,
                    $"{deletedUnread - _deletedUnreadReported} entries of the redis stream {_streamKey} were deleted before the group {_groupName} read them (by XTRIM, XDEL or XADD with MAXLEN from elsewhere); their events are lost",
                    null);
            }

            if (deletedUnread >= 0) _deletedUnreadReported = deletedUnread;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (!_failing)
            {
                _report(LoggingFailureKind.Temporary,
                    $"failed to trim the acknowledged entries of the redis stream {_streamKey}; trying again after the next batch", ex);
            }

            _failing = true;
        }
    }
}
