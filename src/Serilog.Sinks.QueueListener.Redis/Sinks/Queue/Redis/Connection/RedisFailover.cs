using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The refusals a failover produces, on both sides of the transport: waited out like an unreachable server, never
/// taken as a fault that stops a collector or drops a producer's batch.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>READONLY</c>: the server is a replica now, or still, as a demoted primary is, and as a replica is for a
/// moment before its promotion.</item>
/// <item><c>MASTERDOWN</c>: a replica that lost its primary and does not serve stale data.</item>
/// <item><c>NOREPLICAS</c>: a primary with <c>min-replicas-to-write</c> that has too few replicas in reach.</item>
/// <item><c>TRYAGAIN</c> and <c>CLUSTERDOWN</c>: a cluster moving a slot, or without a quorum.</item>
/// </list>
/// </remarks>
static class RedisFailover
{
    static readonly string[] Prefixes = ["READONLY", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN"];

    /// <summary>Whether <paramref name="exception"/> is one of the refusals a failover produces.</summary>
    public static bool IsUnderWay(RedisServerException exception) =>
        Array.Exists(Prefixes, prefix => exception.Message.StartsWith(prefix, StringComparison.Ordinal));
}
