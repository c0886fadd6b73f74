using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// A connection that is being made in the background: what the producer and the collector hold instead of a
/// connected multiplexer, so that neither blocks the application's start-up on Redis.
/// </summary>
/// <remarks>
/// Why in the background: with <c>abortConnect=false</c>, StackExchange.Redis 2.8's <c>Connect</c> and
/// <c>ConnectAsync</c> both return only once the first attempt has ended. Measured here: at once when Redis is up or
/// nothing listens on the port; 10 s (two connect timeouts) for <c>ConnectAsync</c> when Redis refuses the password;
/// 15 s for <c>Connect</c> when the server accepts and never answers. The attempt runs on the thread pool, since
/// <c>ConnectAsync</c> may work synchronously before its first <c>await</c>; a command meanwhile waits for it, then
/// goes to the multiplexer, which keeps reconnecting.
/// </remarks>
sealed class RedisConnection : IDisposable
{
    readonly Task<IConnectionMultiplexer> _connecting;
    readonly bool _owned;

    /// <summary>Over a connection the caller made and closes.</summary>
    public RedisConnection(IConnectionMultiplexer connection)
    {
        _connecting = Task.FromResult(connection);
        EndPoints = [.. connection.GetEndPoints()];
    }

    /// <summary>Start connecting with <paramref name="options"/>; the connection is this object's to close.</summary>
    public RedisConnection(ConfigurationOptions options)
    {
        _owned = true;

        // Through Sentinel the servers named are the sentinels: probing the first would describe a sentinel, not the
        // primary that cannot be reached.
        EndPoints = string.IsNullOrEmpty(options.ServiceName) ? [.. options.EndPoints] : [];
        _connecting = ExecutionContextFlow.Suppressed(options, static options =>
            Task.Run(async () => (IConnectionMultiplexer)await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false)));
    }

    /// <summary>The servers named, for describing why they cannot be reached; none through Sentinel.</summary>
    public IReadOnlyList<System.Net.EndPoint> EndPoints { get; }

    /// <summary>The multiplexer, once the first attempt has ended.</summary>
    public Task<IConnectionMultiplexer> Connecting => _connecting;

    /// <summary>Whether the first attempt has ended and the multiplexer is connected now.</summary>
    public bool IsConnected => _connecting.Status == TaskStatus.RanToCompletion && _connecting.Result.IsConnected;

    /// <summary>The database, waiting for the first attempt to end; for callers on a thread of their own (the
    /// collector's listener), never on the application's start-up path.</summary>
    /// <exception cref="RedisConnectionException">When the multiplexer could not be made at all.</exception>
    public IDatabase Database
    {
        get
        {
            try
            {
                return _connecting.GetAwaiter().GetResult().GetDatabase();
            }
            catch (Exception ex) when (ex is not RedisException)
            {
                throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "The connection to Redis could not be made.", ex);
            }
        }
    }

    /// <summary>
    /// The server the client takes for the primary of <paramref name="key"/> now, from its own map of the servers:
    /// no round trip (<see cref="IDatabase.IdentifyEndpoint"/> sends an <c>EXISTS</c>, which a producer's ACL may not
    /// allow); <see langword="null"/> before the first attempt to connect has ended, or when it is connected to none.
    /// </summary>
    /// <remarks>Connected servers only: the map keeps a server that failed, with the role it had, beside the one that
    /// took its place (through Sentinel, the old primary stays a primary in the map). In a cluster, the slot's owner as
    /// the first connected node last saw it.</remarks>
    public System.Net.EndPoint? PrimaryOf(RedisKey key)
    {
        if (_connecting.Status != TaskStatus.RanToCompletion) return null;

        foreach (var server in _connecting.Result.GetServers())
        {
            if (!server.IsConnected) continue;

            switch (server.ServerType)
            {
                case ServerType.Cluster:
                    return server.ClusterConfiguration?.GetBySlot(key)?.EndPoint;
                case ServerType.Standalone when !server.IsReplica:
                    return server.EndPoint;
            }
        }

        return null;
    }

    /// <summary>Whether the client's map of the servers has <paramref name="endPoint"/> as a primary it is connected
    /// to.</summary>
    public bool IsConnectedPrimary(System.Net.EndPoint endPoint)
    {
        if (_connecting.Status != TaskStatus.RanToCompletion) return false;

        foreach (var server in _connecting.Result.GetServers())
        {
            if (server.EndPoint.Equals(endPoint)) return server.IsConnected && !server.IsReplica;
        }

        return false;
    }

    /// <summary>
    /// Have the client look at the servers' roles again, at most once a second, and return at once: after a failover
    /// the primary it knows may be a replica now, or another server the new primary, and StackExchange.Redis only
    /// looks again by itself every <c>configCheckSeconds</c> (60 s by default). Through Sentinel, it asks the
    /// sentinels for the primary.
    /// </summary>
    public void FindPrimaryAgain()
    {
        if (_connecting.Status != TaskStatus.RanToCompletion || _connecting.Result is not ConnectionMultiplexer multiplexer) return;

        var now = System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1000);
        var last = Interlocked.Read(ref _lastReconfigure);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastReconfigure, now, last) != last) return;

        // ConfigureAsync looks at every server again; ReconfigureAsync skips those whose connection looks healthy,
        // which a replica promoted in place is.
        multiplexer.ConfigureAsync()
            .ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>When <see cref="FindPrimaryAgain"/> last had the client look, in milliseconds of
    /// <see cref="System.Diagnostics.Stopwatch"/> time; interlocked.</summary>
    long _lastReconfigure = long.MinValue / 2;

    /// <summary>Close an owned connection: now when the first attempt has ended, otherwise as soon as it does, so
    /// that disposal never waits for it.</summary>
    public void Dispose()
    {
        if (!_owned) return;

        _connecting.ContinueWith(static task =>
        {
            if (task.Status == TaskStatus.RanToCompletion) task.Result.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
