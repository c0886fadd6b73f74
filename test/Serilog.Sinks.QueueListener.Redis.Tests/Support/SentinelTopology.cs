using System.Globalization;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// A primary, a replica and three sentinels (quorum 2, a server is down after 1 s without an answer, a failover
/// may be tried again after 6 s), each a <see cref="RedisServer"/> of its own on a free loopback port; disposing it
/// stops them all, killed, even when the start failed half-way.
/// </summary>
sealed class SentinelTopology : IDisposable
{
    public const string ServiceName = "mymaster";

    static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(30);

    readonly List<RedisServer> _servers = [];
    readonly List<RedisServer> _sentinels = [];

    SentinelTopology()
    {
    }

    /// <summary>Start the five servers and wait until every sentinel knows the primary, the replica and the other
    /// sentinels, so that a failover can happen.</summary>
    public static SentinelTopology Start()
    {
        var topology = new SentinelTopology();
        try
        {
            var primary = RedisServer.Start();
            topology._servers.Add(primary);
            topology._servers.Add(RedisServer.Start(false, "--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture)));
            for (var i = 0; i < 3; i++) topology._sentinels.Add(RedisServer.StartSentinel(ServiceName, primary.Port, quorum: 2));
            topology.WaitUntilHealthy();
            return topology;
        }
        catch
        {
            topology.Dispose();
            throw;
        }
    }

    /// <summary>The StackExchange.Redis configuration string that goes through the sentinels, with the connect
    /// timeout that docs/redis.md advises: a client that looks for the primary again waits up to this long for the
    /// dead one (5 s by default).</summary>
    public string Configuration =>
        string.Join(",", _sentinels.Select(s => "127.0.0.1:" + s.Port.ToString(CultureInfo.InvariantCulture))) +
        $",serviceName={ServiceName},abortConnect=false,connectTimeout=1000";

    /// <summary>The data servers, the primary among them.</summary>
    public IReadOnlyList<RedisServer> Servers => _servers;

    /// <summary>The port of the primary, as the first sentinel names it.</summary>
    public int PrimaryPort => PrimaryPortNamedBy(_sentinels[0]);

    /// <summary>The server the first sentinel names as the primary.</summary>
    public RedisServer Primary => ServerOn(PrimaryPort);

    /// <summary>The data server that is not the primary.</summary>
    public RedisServer Replica
    {
        get
        {
            var primaryPort = PrimaryPort;
            return _servers.Single(s => s.Port != primaryPort);
        }
    }

    /// <summary>Start again, as replicas of the primary, the data servers that were killed.</summary>
    public void RestartKilledServersAsReplicas()
    {
        var primaryPort = PrimaryPort;
        foreach (var server in _servers.Where(s => s.HasExited)) server.RestartAsReplicaOf(primaryPort);
    }

    /// <summary>Ask a sentinel for a graceful failover, with the primary alive (<c>SENTINEL FAILOVER</c>).</summary>
    public void Failover()
    {
        var reply = _sentinels[0].Cli("SENTINEL", "FAILOVER", ServiceName).Trim();
        if (reply != "OK") throw new InvalidOperationException($"SENTINEL FAILOVER answered {reply}");
    }

    /// <summary>Wait until every sentinel names a primary other than <paramref name="oldPort"/>, and that server
    /// says it is one; its port.</summary>
    /// <exception cref="TimeoutException">When that does not happen within <paramref name="timeout"/>.</exception>
    public int WaitForPrimaryOtherThan(int oldPort, TimeSpan timeout)
    {
        var newPort = 0;
        if (!Poll.Until(() =>
            {
                var named = _sentinels.Select(PrimaryPortNamedBy).Distinct().ToList();
                if (named.Count != 1 || named[0] == oldPort) return false;
                newPort = named[0];
                return RoleOf(ServerOn(newPort)) == "master";
            }, timeout))
        {
            throw new TimeoutException($"the sentinels named no new primary within {timeout}: {Describe()}");
        }

        return newPort;
    }

    /// <summary>Wait until the sentinels agree on a primary that is up, every other data server is its replica with
    /// the link up, and each sentinel sees the two others: the state a failover starts from.</summary>
    /// <exception cref="TimeoutException">When that does not happen within 30 s.</exception>
    public void WaitUntilHealthy()
    {
        if (!Poll.Until(IsHealthy, HealthyTimeout))
        {
            throw new TimeoutException($"the sentinel topology did not become healthy within {HealthyTimeout}: {Describe()}");
        }
    }

    bool IsHealthy()
    {
        try
        {
            var named = _sentinels.Select(PrimaryPortNamedBy).Distinct().ToList();
            if (named.Count != 1 || RoleOf(ServerOn(named[0])) != "master") return false;

            foreach (var sentinel in _sentinels)
            {
                var master = Fields(sentinel.Cli("SENTINEL", "MASTER", ServiceName));
                if (master.GetValueOrDefault("flags") != "master" || master.GetValueOrDefault("num-other-sentinels") != "2") return false;

                var replicaFlags = Values(sentinel.Cli("SENTINEL", "REPLICAS", ServiceName), "flags");
                if (replicaFlags.Count(f => f == "slave") != _servers.Count - 1) return false;
            }

            return _servers.Where(s => s.Port != named[0])
                .All(s => s.Cli("INFO", "replication").Contains("master_link_status:up", StringComparison.Ordinal));
        }
        catch (InvalidOperationException)
        {
            // A server that is down or restarting: not healthy yet.
            return false;
        }
    }

    RedisServer ServerOn(int port) => _servers.Single(s => s.Port == port);

    static int PrimaryPortNamedBy(RedisServer sentinel)
    {
        var lines = Lines(sentinel.Cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName));
        return lines.Count == 2 ? int.Parse(lines[1], CultureInfo.InvariantCulture) : 0;
    }

    static string RoleOf(RedisServer server) => Lines(server.Cli("ROLE")).FirstOrDefault() ?? "";

    /// <summary>A reply of alternating names and values, as redis-cli prints it when not on a terminal.</summary>
    static Dictionary<string, string> Fields(string reply)
    {
        var lines = Lines(reply);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < lines.Count; i += 2) fields[lines[i]] = lines[i + 1];
        return fields;
    }

    /// <summary>The values named <paramref name="name"/> in a reply of several such lists.</summary>
    static List<string> Values(string reply, string name)
    {
        var lines = Lines(reply);
        var values = new List<string>();
        for (var i = 0; i + 1 < lines.Count; i++)
        {
            if (lines[i] == name) values.Add(lines[++i]);
        }

        return values;
    }

    static List<string> Lines(string reply) => [.. reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>What each sentinel and server says, for a failure message.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (var sentinel in _sentinels)
        {
            try
            {
                var master = Fields(sentinel.Cli("SENTINEL", "MASTER", ServiceName));
                parts.Add($"sentinel {sentinel.Port}: primary {master.GetValueOrDefault("port")} {master.GetValueOrDefault("flags")}, " +
                          $"others {master.GetValueOrDefault("num-other-sentinels")}, replicas " +
                          string.Join("/", Values(sentinel.Cli("SENTINEL", "REPLICAS", ServiceName), "flags")));
            }
            catch (InvalidOperationException ex)
            {
                parts.Add($"sentinel {sentinel.Port}: {ex.Message}");
            }
        }

        foreach (var server in _servers)
        {
            try
            {
                parts.Add($"server {server.Port}: {string.Join(" ", Lines(server.Cli("ROLE")).Take(3))}");
            }
            catch (InvalidOperationException ex)
            {
                parts.Add($"server {server.Port}: {ex.Message}");
            }
        }

        return string.Join("; ", parts);
    }

    public void Dispose()
    {
        foreach (var sentinel in _sentinels) sentinel.Dispose();
        foreach (var server in _servers) server.Dispose();
    }
}
