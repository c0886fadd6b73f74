using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Names, in a few words for a report, why Redis cannot be used: the credentials refused, the host unknown, the
/// connection refused. Never repeats the configuration, which may hold a password.
/// </summary>
/// <remarks>
/// StackExchange.Redis names an authentication failure in its exceptions, but reports a refused connection and an
/// unknown host alike, as <c>UnableToConnect</c>; for those, the server named first is tried once here, with a
/// plain socket (a name lookup and a connect of at most <see cref="ProbeTimeout"/>), only when a failure is about to
/// be reported, so at most once per outage.
/// </remarks>
static class RedisFailureCause
{
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Why <paramref name="failure"/> happened, as "the reason", or <see langword="null"/> when it is not
    /// about reaching Redis.</summary>
    public static string? Describe(Exception? failure, IReadOnlyList<EndPoint> endPoints)
    {
        if (failure is null) return null;
        if (IsAuthenticationFailure(failure))
        {
            return "Redis refused the credentials (authentication failed): check the password, and the user, in the configuration";
        }

        if (IsReplicaRefusal(failure))
        {
            // The case where waiting may never end: a client given one server's address, whose server a failover
            // made a replica, goes on asking it.
            return "the server is a replica (READONLY): a failover may be under way; a client given only the old primary's address " +
                   "keeps asking it, so connect through Sentinel (serviceName=...) or name every server";
        }

        if (!IsConnectionFailure(failure)) return null;

        return endPoints.Count == 0 ? "Redis cannot be reached" : Probe(endPoints[0]);
    }

    /// <summary>Whether <paramref name="failure"/> is, or holds, a replica's refusal to write (<c>READONLY</c>): the
    /// cause worth a report of its own when an outage that began otherwise (the primary gone) goes on as one.</summary>
    public static bool IsReplicaRefusal(Exception? failure) =>
        failure is not null &&
        Flatten(failure).Any(ex => ex is RedisServerException && ex.Message.StartsWith("READONLY", StringComparison.Ordinal));

    static bool IsAuthenticationFailure(Exception failure) => Flatten(failure).Any(ex =>
        ex is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } ||
        ex.Message.Contains("NOAUTH") || ex.Message.Contains("WRONGPASS"));

    static bool IsConnectionFailure(Exception failure) => Flatten(failure).Any(ex => ex is RedisConnectionException or RedisTimeoutException);

    static IEnumerable<Exception> Flatten(Exception failure)
    {
        var pending = new Stack<Exception>();
        pending.Push(failure);
        while (pending.Count > 0)
        {
            var ex = pending.Pop();
            yield return ex;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            }
            else if (ex.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }

    static string Probe(EndPoint endPoint)
    {
        var (host, port) = endPoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (endPoint.ToString() ?? "", 0),
        };
        var where = $"{host}:{port}";
        try
        {
            var addresses = endPoint is IPEndPoint address ? [address.Address] : Dns.GetHostAddresses(host);
            if (addresses.Length == 0) return $"Redis cannot be reached: the host name {host} is unknown";

            using var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            var connecting = socket.ConnectAsync(addresses[0], port);
            if (!connecting.Wait(ProbeTimeout)) return $"Redis cannot be reached: {where} does not answer";

            return $"Redis cannot be reached: {where} accepts connections, but the Redis handshake does not complete";
        }
        catch (Exception ex) when (Flatten(ex).OfType<SocketException>().FirstOrDefault() is { } socketFailure)
        {
            return socketFailure.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"Redis cannot be reached: {where} refused the connection (nothing listens there)",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"Redis cannot be reached: the host name {host} is unknown",
                _ => $"Redis cannot be reached: connecting to {where} failed ({socketFailure.SocketErrorCode})",
            };
        }
        catch (Exception)
        {
            return "Redis cannot be reached";
        }
    }
}
