using System.Globalization;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// A Redis Cluster of masters without replicas, each a <see cref="RedisServer"/> of its own on a free loopback port,
/// made one cluster by <c>redis-cli --cluster create</c>; disposing it stops them all, even when the start failed
/// half-way.
/// </summary>
sealed class RedisClusterTopology : IDisposable
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    readonly List<RedisServer> _masters = [];

    RedisClusterTopology()
    {
    }

    /// <summary>Start <paramref name="masters"/> servers, share the slots among them, and wait until each says the
    /// cluster is up and knows every other.</summary>
    public static RedisClusterTopology Start(int masters = 3)
    {
        var cluster = new RedisClusterTopology();
        try
        {
            for (var i = 0; i < masters; i++)
            {
                cluster._masters.Add(RedisServer.Start(false,
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
            }

            RedisCli.RunRaw(["--cluster", "create", .. cluster._masters.Select(m => "127.0.0.1:" + Port(m)),
                "--cluster-replicas", "0", "--cluster-yes"]);
            if (!Poll.Until(cluster.IsReady, ReadyTimeout))
            {
                throw new TimeoutException($"the cluster was not ready within {ReadyTimeout}: " +
                                           string.Join(" | ", cluster._masters.Select(m => m.Cli("CLUSTER", "INFO"))));
            }

            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public IReadOnlyList<RedisServer> Masters => _masters;

    /// <summary>The StackExchange.Redis configuration string naming every master.</summary>
    public string Configuration => string.Join(",", _masters.Select(m => "127.0.0.1:" + Port(m))) + ",abortConnect=false";

    /// <summary>The hash slot of <paramref name="key"/>.</summary>
    public int SlotOf(string key) => int.Parse(_masters[0].Cli("CLUSTER", "KEYSLOT", key).Trim(), CultureInfo.InvariantCulture);

    /// <summary>The master that serves <paramref name="slot"/>, as the first master sees it.</summary>
    public RedisServer OwnerOf(int slot)
    {
        foreach (var line in _masters[0].Cli("CLUSTER", "NODES").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot or range>...
            var fields = line.Split(' ');
            foreach (var range in fields.Skip(8).Where(f => !f.StartsWith('[')))
            {
                var bounds = range.Split('-');
                var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
                var last = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
                if (slot < first || slot > last) continue;

                var port = int.Parse(fields[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture);
                return _masters.Single(m => m.Port == port);
            }
        }

        throw new InvalidOperationException($"no master serves slot {slot}");
    }

    /// <summary>Move <paramref name="slot"/> and its keys to <paramref name="target"/> as an operator's resharding
    /// does, live: the target imports it, the owner migrates it, <c>MIGRATE</c> moves the keys, then every master is
    /// told the new owner. Meanwhile clients are redirected with <c>ASK</c>, then <c>MOVED</c>.</summary>
    public void MigrateSlot(int slot, RedisServer target)
    {
        var source = OwnerOf(slot);
        if (ReferenceEquals(source, target)) throw new ArgumentException("The slot is already served there.", nameof(target));

        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        var sourceId = source.Cli("CLUSTER", "MYID").Trim();
        var targetId = target.Cli("CLUSTER", "MYID").Trim();
        Expect(target.Cli("CLUSTER", "SETSLOT", slotText, "IMPORTING", sourceId));
        Expect(source.Cli("CLUSTER", "SETSLOT", slotText, "MIGRATING", targetId));
        while (true)
        {
            var keys = source.Cli("CLUSTER", "GETKEYSINSLOT", slotText, "100").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (keys.Length == 0) break;
            Expect(source.Cli(["MIGRATE", "127.0.0.1", Port(target), "", "0", "5000", "KEYS", .. keys]));
        }

        // The target first, then the source, then the rest, as redis-cli's resharding does.
        foreach (var master in new[] { target, source }.Concat(_masters.Where(m => !ReferenceEquals(m, source) && !ReferenceEquals(m, target))))
        {
            Expect(master.Cli("CLUSTER", "SETSLOT", slotText, "NODE", targetId));
        }
    }

    static void Expect(string reply)
    {
        if (reply.Trim() != "OK") throw new InvalidOperationException($"the cluster answered {reply.Trim()}");
    }

    bool IsReady() => _masters.All(m =>
    {
        var info = m.Cli("CLUSTER", "INFO");
        return info.Contains("cluster_state:ok", StringComparison.Ordinal) &&
               info.Contains($"cluster_known_nodes:{_masters.Count.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal) &&
               info.Contains("cluster_slots_ok:16384", StringComparison.Ordinal);
    });

    static string Port(RedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var master in _masters) master.Dispose();
    }
}
