using Serilog.Core;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Tells a failed read that is an outage to wait out (Redis restarting, the network failing, a server not ready yet)
/// from a fault of the queue, and reports each outage once, at its start.
/// </summary>
/// <remarks>
/// <para>Why the difference matters: the listener stops after a short run of faults, which for a collector would
/// turn a Redis restart into a collector that no longer collects. An outage is taken as nothing read, and the read is
/// tried again every poll interval; a fault is thrown to the listener, which backs off and, if it lasts, stops.</para>
/// <para>Used on the listener's thread only (inside <c>WaitToDequeue</c>): no lock.</para>
/// </remarks>
sealed class ReadOutage
{
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly QueueFailures _failures;

    public ReadOutage(RedisConnection connection, RedisKey streamKey, QueueFailures failures)
    {
        _connection = connection;
        _streamKey = streamKey;
        _failures = failures;
    }

    /// <summary>Whether the last read found Redis out of reach: acknowledging or trimming meanwhile would only wait
    /// out a timeout each.</summary>
    public bool IsUnderWay { get; private set; }

    /// <summary>Whether the outage under way has been reported as a replica's refusal (<c>READONLY</c>).</summary>
    bool _replicaRefusalReported;

    /// <summary>When the outage under way began, for the report of its end.</summary>
    DateTime _startedAt;

    /// <summary>Whether <paramref name="exception"/>, thrown by a read, is an outage rather than a fault: the
    /// connection failed or timed out, or the server refused the command for a while only.</summary>
    public static bool IsOutage(Exception exception) =>
        exception is RedisConnectionException or TimeoutException ||
        (exception is RedisServerException refused && IsNotReady(refused));

    /// <summary>A read failed with an outage: report it if it is the start of one.</summary>
    public void Failed(Exception exception)
    {
        // Reported at its start, and once more if it turns into a replica's refusal, which may never end by itself
        // (a client given only the old primary's address, which came back as a replica).
        var replicaRefusal = RedisFailureCause.IsReplicaRefusal(exception);
        if (!IsUnderWay || (replicaRefusal && !_replicaRefusalReported))
        {
            _replicaRefusalReported = replicaRefusal;

            // A refusal names itself: NOREPLICAS (min-replicas-to-write without enough replicas) and READONLY (a
            // replica) say what to fix, where "cannot be reached" would send the reader to the network.
            var cause = RedisFailureCause.Describe(exception, _connection.EndPoints)
                ?? (exception is RedisServerException refused ? "Redis refused it for now: " + refused.Message : "Redis cannot be reached, or is not ready");
            _failures.Report(LoggingFailureKind.Temporary,
                $"failed reading the redis stream {_streamKey}: {cause}; the queue tries again every poll interval until it can",
                exception);
            if (!IsUnderWay) _startedAt = DateTime.UtcNow;
        }

        IsUnderWay = true;

        // The server that answers may no longer be the primary (a failover demoted it, or promoted another), and the
        // client only looks again once a minute by itself.
        _connection.FindPrimaryAgain();
    }

    /// <summary>A read succeeded: the outage, if any, is over (reported, so that its start has an end), and the next
    /// one is reported again.</summary>
    public void Ended()
    {
        if (!IsUnderWay) return;

        IsUnderWay = false;
        _failures.Report(LoggingFailureKind.Temporary, string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "reading the redis stream {0} again, after {1:0.0} s without it", _streamKey, (DateTime.UtcNow - _startedAt).TotalSeconds), null);
    }

    /// <summary>Whether Redis refused a command for a while only, as after a restart: loading its data
    /// (<c>LOADING</c>, seconds to minutes for a large data set), busy with a long script (<c>BUSY</c>), or during a
    /// failover (see <see cref="RedisFailover.IsUnderWay"/>). Other refusals (a key that is not a stream, a user who
    /// may not read it) stop the listener after its run of faults.</summary>
    static bool IsNotReady(RedisServerException exception) =>
        exception.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
        exception.Message.StartsWith("BUSY ", StringComparison.Ordinal) ||
        RedisFailover.IsUnderWay(exception);
}
