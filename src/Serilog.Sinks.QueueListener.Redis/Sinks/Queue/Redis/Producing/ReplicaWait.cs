using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Adds a producer's batch (<see cref="CappedStreamAdd"/>), then, when the producer asks for replicas, waits until
/// that many have acknowledged it (<c>WAIT numreplicas timeout</c>): a batch counts as sent only then. Fewer within
/// <see cref="Timeout"/> fail the attempt with <see cref="ReplicasMissingException"/>, which the sender handles like any
/// failed <c>XADD</c>: the batch stays first in line, is retried and, at shutdown, reported as possibly written.
/// </summary>
/// <remarks>
/// <para>What it buys: a batch counted as sent is on the primary and on that many replicas, so a failover that
/// promotes one of them keeps it. Redis replicates asynchronously, and <c>WAIT</c> does not make it synchronous: a
/// failover may still promote a replica that had not acknowledged, and an entry acknowledged by replicas can still be
/// lost if all of them and the primary fail before writing it to disk (see docs/redis.md).</para>
/// <para><c>WAIT</c> counts what the connection that sends it has written, so it goes to the server that holds the
/// stream's key, over the connection the script went on; after a retry on another connection, the script's write
/// (the entry, or the unchanging write beside an entry the stream already holds) is what it counts.</para>
/// </remarks>
static class ReplicaWait
{
    /// <summary>
    /// How long <c>WAIT</c> waits for the replicas: 1 s. Replicas on a healthy network acknowledge within
    /// milliseconds (the primary asks them at once); a second without enough of them is an outage, reported and
    /// retried. Short enough that the one connection <c>WAIT</c> holds meanwhile (the producer's own) is not taken
    /// for dead, whose command timeout is 5 s.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>Add <paramref name="batch"/>, then wait for <paramref name="replicas"/> replicas.</summary>
    /// <returns>The entry's id, or a null result when the stream is full.</returns>
    /// <exception cref="ReplicasMissingException">When fewer replicas acknowledged the entry in time.</exception>
    public static async Task<RedisResult> AddAsync(IConnectionMultiplexer multiplexer, RedisKey streamKey, int maxStreamLength,
        StreamBatch batch, RedisValue producer, int replicas)
    {
        var database = multiplexer.GetDatabase();
        var added = await CappedStreamAdd.AddAsync(database, streamKey, maxStreamLength, batch, producer).ConfigureAwait(false);
        if (added.IsNull) return added;

        batch.AddedId = (RedisValue)added;
        var server = multiplexer.GetServer(database.IdentifyEndpoint(streamKey, CommandFlags.DemandMaster)
            ?? throw new RedisConnectionException(ConnectionFailureType.UnableToResolvePhysicalConnection, "No server holds the stream's key now."));
        var acknowledged = (long)await server.ExecuteAsync("WAIT", [replicas, (long)Timeout.TotalMilliseconds], CommandFlags.DemandMaster).ConfigureAwait(false);
        if (acknowledged < replicas) throw new ReplicasMissingException(acknowledged, replicas);

        return added;
    }
}
