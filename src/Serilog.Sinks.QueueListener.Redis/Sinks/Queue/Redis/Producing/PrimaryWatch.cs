using System.Net;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Notes which server held a producer's stream at each batch sent, to tell when the stream has moved off a primary
/// that failed or was demoted: a failover, in which Redis may have lost the last entries the old primary took, since
/// it replicates asynchronously. The producer cannot know which entries those were; it can say that some may be.
/// </summary>
/// <remarks>
/// <para>From the client's own map of the servers (<see cref="RedisConnection.PrimaryOf"/>): no round trip, a few
/// small objects a batch. A move counts only when the old server is no longer a connected primary, so that a slot
/// migrated in a cluster (the old owner still a primary) or a node's stale view of the slots says nothing.</para>
/// <para>Not seen: a primary behind one address that the provider points elsewhere (a cloud service's DNS name),
/// since the client sees one server throughout.</para>
/// <para>Threads: the completions of sends, which may overlap (one completion starts the next batch before it returns);
/// the exchange is atomic, and two completions that cross in a failover at worst compare the new primary with the old
/// one in reverse, which the old-server check above passes over, and the next batch reports.</para>
/// </remarks>
sealed class PrimaryWatch
{
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    EndPoint? _last;

    public PrimaryWatch(RedisConnection connection, RedisKey streamKey)
    {
        _connection = connection;
        _streamKey = streamKey;
    }

    /// <summary>A batch was sent: note where the stream is now.</summary>
    /// <returns>The server that held it at the batch before, when that server is no longer a connected primary and
    /// the stream is on another now; otherwise <see langword="null"/>.</returns>
    public EndPoint? Sent()
    {
        var now = _connection.PrimaryOf(_streamKey);
        if (now is null) return null;

        var before = Interlocked.Exchange(ref _last, now);
        return before is not null && !before.Equals(now) && !_connection.IsConnectedPrimary(before) ? before : null;
    }
}
