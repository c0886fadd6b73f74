using System.Globalization;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>A primary and one replica of it (<c>--replicaof</c>), each a <see cref="RedisServer"/> of its own, with an
/// admin connection to each; the replica can be stopped and started again, and the roles swapped.</summary>
sealed class ReplicatedServers : IDisposable
{
    static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(15);

    readonly ConnectionMultiplexer _primaryAdmin;
    readonly ConnectionMultiplexer _replicaAdmin;

    /// <param name="primarySettings">More settings for the primary, as <c>--name value</c> arguments.</param>
    public ReplicatedServers(params string[] primarySettings)
    {
        Primary = RedisServer.Start(false, primarySettings);
        Replica = RedisServer.Start(false, "--replicaof", "127.0.0.1", Primary.Port.ToString(CultureInfo.InvariantCulture));
        _primaryAdmin = ConnectionMultiplexer.Connect(Primary.Configuration + ",allowAdmin=true");
        _replicaAdmin = ConnectionMultiplexer.Connect(Replica.Configuration + ",allowAdmin=true");
        WaitUntilReplicaIsInSync();
    }

    public RedisServer Primary { get; }

    public RedisServer Replica { get; }

    /// <summary>Commands to the primary, or whatever the first server is now.</summary>
    public IDatabase PrimaryDatabase => _primaryAdmin.GetDatabase();

    /// <summary>Commands to the replica, or whatever the second server is now (a replica serves reads).</summary>
    public IDatabase ReplicaDatabase => _replicaAdmin.GetDatabase();

    /// <summary>Wait until the primary counts one replica online, in sync.</summary>
    public void WaitUntilReplicaIsInSync()
    {
        var primary = _primaryAdmin.GetServer(_primaryAdmin.GetEndPoints()[0]);
        if (!Poll.Until(() => (primary.InfoRaw("replication") ?? "").Contains("state=online", StringComparison.Ordinal), SyncTimeout))
        {
            Assert.Fail("the replica did not come online: " + primary.InfoRaw("replication"));
        }
    }

    /// <summary>How many times the primary has run <paramref name="command"/> (lower case), scripts' calls
    /// included.</summary>
    public long PrimaryCalls(string command)
    {
        var stats = _primaryAdmin.GetServer(_primaryAdmin.GetEndPoints()[0]).InfoRaw("commandstats") ?? "";
        var start = stats.IndexOf("cmdstat_" + command + ":calls=", StringComparison.Ordinal);
        if (start < 0) return 0;
        start = stats.IndexOf('=', start) + 1;
        return long.Parse(stats.AsSpan(start, stats.IndexOf(',', start) - start), CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the primary refuses a write now (<c>NOREPLICAS</c>, say).</summary>
    public bool PrimaryRefusesWrites()
    {
        try
        {
            PrimaryDatabase.StringSet("write-probe", "x");
            return false;
        }
        catch (RedisServerException)
        {
            return true;
        }
    }

    /// <summary>Make the replica a primary (<c>REPLICAOF NO ONE</c>), leaving the primary one too.</summary>
    public void PromoteReplica() => ReplicaDatabase.Execute("REPLICAOF", "NO", "ONE");

    /// <summary>Make the first primary a replica of the promoted one: it drops what it took since, as a demoted
    /// primary does when it resynchronises.</summary>
    public void DemotePrimary() =>
        PrimaryDatabase.Execute("REPLICAOF", "127.0.0.1", Replica.Port.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether the first server is a replica that has finished resynchronising.</summary>
    public bool PrimaryIsSyncedReplica() =>
        (_primaryAdmin.GetServer(_primaryAdmin.GetEndPoints()[0]).InfoRaw("replication") ?? "").Contains("master_link_status:up", StringComparison.Ordinal);

    public void StopReplica() => Replica.Stop();

    /// <summary>Start the stopped replica again, and wait until it is in sync.</summary>
    public void StartReplica()
    {
        Replica.Restart();
        WaitUntilReplicaIsInSync();
    }

    public void Dispose()
    {
        _primaryAdmin.Dispose();
        _replicaAdmin.Dispose();
        Replica.Dispose();
        Primary.Dispose();
    }
}
