using System.Diagnostics;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Flushes the sinks (<c>FlushToDisk</c>, as a flush marker does) after an event at or above a level has been
/// written, so that a crash right after an error does not take the error with it; at most once per
/// <see cref="Interval"/>, so that a flood of errors does not become a flood of disk flushes.
/// </summary>
/// <remarks>
/// <para>The first such event after a quiet <see cref="Interval"/> is flushed before the next event is handled.
/// One that comes sooner leaves a flush pending, which happens at the first event handled once the interval has
/// passed, or when the listener finds the queue empty, whichever comes first: the last error of a burst is always
/// flushed before the listener waits for more work, because the loop calls <see cref="Idle"/> each time it finds the
/// queue empty, before it waits; and a stop flushes the sinks, disposal disposes them. Under a flood, then, an error
/// waits for its flush at most an interval, or as long as one event takes to write after it.</para>
/// <para>Listener thread only.</para>
/// </remarks>
sealed class LevelFlush
{
    /// <summary>The shortest time between two flushes caused by events.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    static readonly long IntervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);

    readonly LogEventLevel _level;
    readonly ListenerSinks _sinks;

    /// <summary>When the last flush ended, in <see cref="Stopwatch"/> ticks.</summary>
    long _lastFlush = Stopwatch.GetTimestamp() - IntervalTicks;

    /// <summary>Whether an event at the level has been written since the last flush.</summary>
    bool _pending;

    public LevelFlush(LogEventLevel level, ListenerSinks sinks)
    {
        _level = level;
        _sinks = sinks;
    }

    /// <summary>Called after an event of <paramref name="level"/> has been handled.</summary>
    public void Handled(LogEventLevel level)
    {
        if (level >= _level) _pending = true;
        if (_pending && Stopwatch.GetTimestamp() - _lastFlush >= IntervalTicks) Flush();
    }

    /// <summary>Called when the listener finds the queue empty, before it waits.</summary>
    public void Idle()
    {
        if (_pending) Flush();
    }

    void Flush()
    {
        _pending = false;

        // A failure is reported by the flusher; the events were written, so there is nothing more to do here.
        _sinks.Flush();
        _lastFlush = Stopwatch.GetTimestamp();
    }
}
