using System.Diagnostics;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// When a <see cref="RedisStreamQueue"/> reads its stream next: at once after a read that found something, then after
/// a wait that grows from <see cref="FirstPollWait"/>, doubling, to the poll interval; but held at
/// <see cref="BusyPollWait"/> for <see cref="BusyWindowTicks"/> after a read that found something.
/// </summary>
/// <remarks>
/// <para>Why: a stream that is busy is read again within 2 ms of running dry, however its producers' entries bunch
/// (a doubling wait after a gap of 10 ms could sleep 16 ms more), and an idle one every poll interval.</para>
/// <para>A time to read at rather than a wait, because the listener calls <c>WaitToDequeue</c> with a timeout of its
/// own (100 ms, to look at its state), and each call would otherwise read at once: a poll interval longer than that
/// would never be waited out.</para>
/// <para>Used on the listener's thread only (inside <c>WaitToDequeue</c>): no lock, no shared field.</para>
/// </remarks>
sealed class PollingSchedule
{
    static readonly TimeSpan FirstPollWait = TimeSpan.FromMilliseconds(1);
    static readonly TimeSpan BusyPollWait = TimeSpan.FromMilliseconds(2);
    static readonly long BusyWindowTicks = Stopwatch.Frequency / 10;
    static readonly double TicksPerStopwatchTick = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    /// <summary>How long the next empty read is followed by a wait.</summary>
    TimeSpan _pollWait = FirstPollWait;

    /// <summary>When a read last found something, in <see cref="Stopwatch"/> ticks.</summary>
    long _lastFoundAt;

    /// <summary>When the stream is to be read next, in <see cref="Stopwatch"/> ticks.</summary>
    long _nextReadAt;

    /// <param name="pollInterval">The longest wait between reads that found nothing.</param>
    public PollingSchedule(TimeSpan pollInterval)
    {
        PollInterval = pollInterval;
    }

    public TimeSpan PollInterval { get; }

    public bool IsReadDue => Stopwatch.GetTimestamp() >= _nextReadAt;

    /// <summary>How long until the next read is due; zero or less when it is.</summary>
    public TimeSpan UntilRead => TimeSpan.FromTicks((long)((_nextReadAt - Stopwatch.GetTimestamp()) * TicksPerStopwatchTick));

    /// <summary>A read found something: read again at once, and wait from the first wait once it finds
    /// nothing.</summary>
    public void Found()
    {
        _pollWait = FirstPollWait;
        _lastFoundAt = Stopwatch.GetTimestamp();
    }

    /// <summary>A read found nothing: set when to read again.</summary>
    public void FoundNothing()
    {
        // While busy the wait does not grow either, so that once the stream goes quiet the doubling starts again
        // from the busy wait: a wait grown to a long poll interval meanwhile would add most of it to the next
        // event's delivery.
        var now = Stopwatch.GetTimestamp();
        var busy = now - _lastFoundAt < BusyWindowTicks;
        var wait = busy && _pollWait > BusyPollWait ? BusyPollWait : _pollWait;
        _pollWait = busy ? BusyPollWait : wait + wait < PollInterval ? wait + wait : PollInterval;
        _nextReadAt = now + (long)(wait.Ticks / TicksPerStopwatchTick);
    }
}
