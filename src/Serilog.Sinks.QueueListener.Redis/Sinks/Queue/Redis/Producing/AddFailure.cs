using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a failed <c>XADD</c> of a <see cref="RedisStreamSink"/> means: whether the entry may have been added all the
/// same (so a retry may add it twice, and giving it up reports it as possibly written), whether retrying can help,
/// and how long to wait before the next attempt. Pure functions: safe on any thread.
/// </summary>
static class AddFailure
{
    static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);
    static readonly TimeSpan FirstFullDelay = TimeSpan.FromMilliseconds(5);
    static readonly TimeSpan LongestFullDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether a failed attempt certainly added nothing: the server answered with an error, or the command
    /// never left this process (no connection to send it on).</summary>
    public static bool CertainlyNotAdded(Exception failure) => failure switch
    {
        RedisServerException => true,
        RedisConnectionException connection => connection.CommandStatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        RedisTimeoutException timeout => timeout.Commandstatus is CommandStatus.WaitingToBeSent or CommandStatus.WaitingInBacklog,
        _ => false,
    };

    /// <summary>Whether the server refused the command for a reason that lasts: the key holds something other than a
    /// stream, or the user may not run the command. Other server errors (loading after a restart, out of memory, a
    /// replica that is read-only during a failover) pass, and are retried.</summary>
    public static bool IsRefusal(RedisServerException exception) =>
        exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal) ||
        exception.Message.StartsWith("NOPERM", StringComparison.Ordinal);

    /// <summary>The wait before the next attempt after <paramref name="failures"/> in a row: from 100 ms, doubling, to
    /// 5 s after a failure; shorter, from 5 ms to 500 ms, while the stream is <paramref name="full"/>, since room
    /// comes back as soon as a collector trims.</summary>
    public static TimeSpan RetryDelay(bool full, int failures) => full
        ? Backoff(FirstFullDelay, LongestFullDelay, failures)
        : Backoff(FirstRetryDelay, LongestRetryDelay, failures);

    /// <summary>The wait before the next attempt after <paramref name="failures"/> in a row: from
    /// <paramref name="first"/>, doubling, to <paramref name="longest"/>.</summary>
    static TimeSpan Backoff(TimeSpan first, TimeSpan longest, int failures)
    {
        var delay = TimeSpan.FromTicks(first.Ticks << Math.Min(failures - 1, 16));
        return delay < longest ? delay : longest;
    }
}
