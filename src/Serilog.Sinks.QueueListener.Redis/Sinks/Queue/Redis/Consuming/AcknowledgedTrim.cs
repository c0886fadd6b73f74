using Serilog.Core;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Deletes from a stream the entries every consumer group has acknowledged: the collector's side of keeping Redis's
/// memory bounded, the producer's being <see cref="CappedStreamAdd"/>.
/// </summary>
/// <remarks>
/// <para>One script, so that the groups cannot move between the look and the trim: for each group, everything
/// before its oldest pending entry, or up to its last delivered entry when nothing is pending, has been written;
/// the stream is trimmed (<c>XTRIM MINID</c>) to the least of these over all groups. A stream nobody reads through
/// a group is never trimmed. A reader that reads without a group (<c>XREAD</c>) is not waited for.</para>
/// <para>Entries something else deletes before a group reads them (<c>XTRIM</c>, <c>XADD ... MAXLEN</c>) are not
/// counted: the group's <c>entries-read</c> would tell, but Redis 7.0 does not keep it across a restart (its
/// append-only file and replicas get the reads as <c>XCLAIM</c>s without it), so the count would report losses that
/// never happened.</para>
/// <para>Housekeeping: a failure is reported (once per run of failures), never thrown, and the next call tries
/// again. Not thread-safe: the queue calls it from the listener's thread, or at disposal.</para>
/// </remarks>
sealed class AcknowledgedTrim
{
    const string Script = """
        local function parse(id)
          local ms, seq = string.match(id, '^(%d+)-(%d+)$')
          return tonumber(ms), tonumber(seq)
        end
        local function before(a_ms, a_seq, b_ms, b_seq)
          return a_ms < b_ms or (a_ms == b_ms and a_seq < b_seq)
        end
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
        if #groups == 0 then return 0 end
        local safe_ms, safe_seq
        for _, group in ipairs(groups) do
          local info = {}
          for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
          local ms, seq = parse(info['last-delivered-id'])
          seq = seq + 1
          if info['pending'] > 0 then
            local summary = redis.call('XPENDING', KEYS[1], info['name'])
            ms, seq = parse(summary[2])
          end
          if safe_ms == nil or before(ms, seq, safe_ms, safe_seq) then safe_ms, safe_seq = ms, seq end
        end
        return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', safe_ms, safe_seq))
        """;

    readonly RedisConnection _connection;

    /// <summary>The database, once the first attempt to connect has ended (see <see cref="RedisConnection"/>); used
    /// on the listener's thread, and at disposal.</summary>
    IDatabase Database => _connection.Database;
    readonly RedisKey _streamKey;
    readonly TimeSpan _interval;
    readonly Action<LoggingFailureKind, string, Exception?> _report;

    DateTime _lastTrim;

    /// <summary>Whether entries were acknowledged since the last trim.</summary>
    bool _due;

    bool _failing;

    /// <param name="connection">Where the stream is.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="interval">How often at most to trim, or <see cref="Timeout.InfiniteTimeSpan"/> for never.</param>
    /// <param name="report">Where failures go.</param>
    public AcknowledgedTrim(RedisConnection connection, RedisKey streamKey, TimeSpan interval,
        Action<LoggingFailureKind, string, Exception?> report)
    {
        _connection = connection;
        _streamKey = streamKey;
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
            Database.ScriptEvaluate(Script, [_streamKey]);
            _due = false;
            _failing = false;
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
