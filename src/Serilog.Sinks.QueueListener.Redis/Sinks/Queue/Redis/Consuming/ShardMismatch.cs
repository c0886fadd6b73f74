using System.Globalization;
using Serilog.Core;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Finds keys of a <see cref="RedisStreamQueue"/>'s stream that producers made with another number of shards than
/// the queue reads (producers with <c>shards: 3</c>, a collector with <c>Shards = 1</c>), and reports each once: what
/// producers write there is never read by this queue, and would otherwise wait in Redis unseen, the producers
/// stopping at <c>maxStreamLength</c>.
/// </summary>
/// <remarks>
/// <para>How: the keys every other number of shards would use (<see cref="StreamShards.KeysOf"/>, from 1 to
/// <see cref="StreamShards.MaxShards"/>, about a hundred and forty) are asked for with <c>EXISTS</c>, one key per
/// command (in a cluster they are in different slots), sent together and waited for at most a second: at the first
/// read once connected, then every <see cref="CheckInterval"/>, so that producers started after the collector are
/// found too. Housekeeping: a failure or a timeout is ignored (the reads report outages), and the next check tries
/// again.</para>
/// <para>Used on the listener's thread only (inside <c>WaitToDequeue</c>): no lock.</para>
/// </remarks>
sealed class ShardMismatch
{
    static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);
    static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);

    readonly RedisConnection _connection;
    readonly string _streamKey;
    readonly int _shards;
    readonly QueueFailures _failures;

    /// <summary>The keys of the stream this queue does not read; empty when its key holds a brace, which producers
    /// cannot spread over shards.</summary>
    readonly RedisKey[] _otherKeys;

    /// <summary>The keys already reported.</summary>
    readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    DateTime _nextCheck = DateTime.MinValue;

    /// <param name="connection">Where the stream is.</param>
    /// <param name="streamKey">The stream's key, as the producers and the queue were given it.</param>
    /// <param name="shards">How many shards the queue reads.</param>
    /// <param name="failures">Where the keys found are reported.</param>
    public ShardMismatch(RedisConnection connection, string streamKey, int shards, QueueFailures failures)
    {
        _connection = connection;
        _streamKey = streamKey;
        _shards = shards;
        _failures = failures;
        if (streamKey.IndexOfAny(['{', '}']) >= 0)
        {
            _otherKeys = [];
            return;
        }

        var own = new HashSet<string>(StreamShards.KeysOf(streamKey, shards).Select(key => key.ToString()), StringComparer.Ordinal);
        _otherKeys =
        [
            .. Enumerable.Range(1, StreamShards.MaxShards)
                .SelectMany(count => StreamShards.KeysOf(streamKey, count))
                .Select(key => key.ToString())
                .Where(key => !own.Contains(key))
                .Distinct(StringComparer.Ordinal)
                .Select(key => (RedisKey)key),
        ];
    }

    /// <summary>Look for the other keys, when connected and due; report those found for the first time.</summary>
    public void CheckIfDue()
    {
        if (_otherKeys.Length == 0 || DateTime.UtcNow < _nextCheck || !_connection.IsConnected) return;

        _nextCheck = DateTime.UtcNow + CheckInterval;
        List<string> found;
        try
        {
            var database = _connection.Database;
            var asked = _otherKeys.Select(key => database.KeyExistsAsync(key)).ToArray();
            if (!Task.WaitAll(asked, ReplyTimeout)) return;

            found = [.. _otherKeys.Where((key, i) => asked[i].Result).Select(key => key.ToString()).Where(_reported.Add)];
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or AggregateException)
        {
            return;
        }

        if (found.Count == 0) return;

        _failures.Report(LoggingFailureKind.Permanent, string.Format(CultureInfo.InvariantCulture,
            "the redis keys {0} exist, named as the stream {1} spread over another number of shards than this collector reads ({2}); what producers write there is not read here: give the collectors the producers' number of shards",
            string.Join(", ", found), _streamKey, _shards), null);
    }
}
