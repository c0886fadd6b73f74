using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// A Redis Cluster of the benchmark's own: masters without replicas, each a <see cref="PrivateRedisServer"/> with
/// cluster mode on, made one cluster by <c>redis-cli --cluster create</c> (which gives each master an equal range of
/// the slots), as the topology tests make theirs. Disposing it stops them all, even after a failed start.
/// </summary>
sealed class PrivateRedisCluster : IBenchmarkRedis, IDisposable
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    readonly List<PrivateRedisServer> _masters = [];

    PrivateRedisCluster()
    {
    }

    /// <summary>What <c>redis-server --version</c> says, for the report.</summary>
    public string Version => _masters[0].Version;

    public IReadOnlyList<PrivateRedisServer> Masters => _masters;

    public string Configuration => string.Join(",", _masters.Select(m => "127.0.0.1:" + Port(m))) + ",abortConnect=false";

    public TimeSpan CpuTime => _masters.Aggregate(TimeSpan.Zero, (sum, master) => sum + master.CpuTime);

    /// <exception cref="InvalidOperationException">When redis-server is not installed, or the cluster is not ready in
    /// time.</exception>
    public static PrivateRedisCluster Start(int masters = 3)
    {
        var cluster = new PrivateRedisCluster();
        try
        {
            for (var i = 0; i < masters; i++)
            {
                cluster._masters.Add(PrivateRedisServer.Start(
                    ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"]));
            }

            Cli(["--cluster", "create", .. cluster._masters.Select(m => "127.0.0.1:" + Port(m)), "--cluster-replicas", "0", "--cluster-yes"]);
            var waiting = Stopwatch.StartNew();
            while (!cluster.IsReady())
            {
                if (waiting.Elapsed > ReadyTimeout) throw new InvalidOperationException($"The cluster was not ready within {ReadyTimeout}.");
                Thread.Sleep(100);
            }

            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Delete <paramref name="key"/> and the keys of its shards, on whichever master holds each.</summary>
    public void DeleteKey(string key)
    {
        using var connection = ConnectionMultiplexer.Connect(Configuration);
        var database = connection.GetDatabase();
        foreach (var endPoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endPoint);
            if (server.IsReplica) continue;
            foreach (var found in server.Keys(pattern: key + "*").ToList()) database.KeyDelete(found);
        }
    }

    public void Dispose()
    {
        foreach (var master in _masters) master.Dispose();
    }

    bool IsReady() => _masters.All(m =>
    {
        var info = Cli(["-p", Port(m), "CLUSTER", "INFO"]);
        return info.Contains("cluster_state:ok", StringComparison.Ordinal) &&
               info.Contains("cluster_known_nodes:" + _masters.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    });

    static string Port(PrivateRedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Run <c>redis-cli</c>, found beside redis-server, and return what it printed.</summary>
    static string Cli(IEnumerable<string> arguments)
    {
        var executable = Path.Combine(Path.GetDirectoryName(PrivateRedisServer.FindExecutable())!, "redis-cli");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"redis-cli failed ({process.ExitCode}): {output} {errors.Result}");
        return output;
    }
}
