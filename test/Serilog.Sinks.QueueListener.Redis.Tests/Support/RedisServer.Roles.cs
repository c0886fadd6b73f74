using System.Globalization;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// The parts of a <see cref="RedisServer"/> that the topologies (<see cref="SentinelTopology"/>,
/// <see cref="RedisClusterTopology"/>) use: a sentinel, a crash, a restart as a replica.
/// </summary>
sealed partial class RedisServer
{
    /// <summary>Set for a server that is killed to stop (a sentinel, a server that was crashed once): neither needs
    /// its data, and a sentinel would otherwise take its time over <c>SHUTDOWN</c>.</summary>
    bool _killedToStop;

    /// <summary>Start a sentinel that monitors <paramref name="primaryPort"/> as <paramref name="serviceName"/>,
    /// with a quorum of <paramref name="quorum"/> and the short timings a test needs.</summary>
    public static RedisServer StartSentinel(string serviceName, int primaryPort, int quorum)
    {
        var server = StartTrying(false, ["--sentinel"], port => string.Join("\n",
            $"port {port}",
            $"sentinel monitor {serviceName} 127.0.0.1 {primaryPort.ToString(CultureInfo.InvariantCulture)} {quorum.ToString(CultureInfo.InvariantCulture)}",
            $"sentinel down-after-milliseconds {serviceName} 1000",
            $"sentinel failover-timeout {serviceName} 3000",
            "") );
        server._killedToStop = true;
        return server;
    }

    /// <summary>Whether the server's process has ended (killed, say).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Kill the server with SIGKILL, as a crash would, keeping its directory for a restart.</summary>
    public void Kill()
    {
        _killedToStop = true;
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(StopTimeout);
    }

    /// <summary>Start the stopped server again, now as a replica of <paramref name="primaryPort"/>: what an
    /// operator does with a failed primary once another has taken its place.</summary>
    public void RestartAsReplicaOf(int primaryPort)
    {
        var settings = new List<string>();
        for (var i = 0; i < _settings.Length; i++)
        {
            if (_settings[i] == "--replicaof") i += 2;
            else settings.Add(_settings[i]);
        }

        settings.AddRange(["--replicaof", "127.0.0.1", primaryPort.ToString(CultureInfo.InvariantCulture)]);
        _settings = [.. settings];
        Restart();
    }

    /// <summary>Run <c>redis-cli</c> against this server and return what it printed; for the replies of many lines
    /// that <see cref="RedisProcess.Send"/> does not read.</summary>
    public string Cli(params string[] arguments) => RedisCli.Run(Port, arguments);
}
