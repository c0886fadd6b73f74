using System.Diagnostics;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Flushes the sinks (<c>FlushToDisk</c>, as a flush marker does) after an event at or above a level has been
/// written, so that a crash right after an error does not take the error with it; at most once per
/// <see cref="Interval"/> while such events keep coming, so that a flood of errors does not become a flood of disk
/// flushes (the warning of Serilog.Sinks.File's maintainers about flushing on every error).
/// </summary>
/// <remarks>
/// <para>The first such event after a quiet <see cref="Interval"/> is flushed before the next event is handled. One
/// that comes sooner leaves a flush pending, which happens at the first moment the interval since the last flush has
/// passed (checked after each event and each time the listener finds the queue empty), or once nothing has arrived
/// for <see cref="Quiet"/>, whichever comes first. So under a steady stream of errors the sinks are flushed about
/// once an interval, and a burst's last error waits at most an interval for its flush. Two flushes are always at
/// least <see cref="Quiet"/> apart (the second waits out the interval, or the quiet after an error that came after
/// the first), so however bursty the errors, there are at most a hundred flushes a second, ten while they
/// stream.</para>
/// <para>Why the last error of a burst is always flushed before the listener goes idle: the loop calls
/// <see cref="Idle"/> each time it finds the queue empty, before it waits; the built-in queue's listener naps a
/// millisecond at a time, returning to the loop after each nap, and sleeps only after 20 ms without work
/// (<see cref="ListenerParking"/>), so it passes <see cref="Quiet"/> (10 ms) awake and flushes first. A user's queue
/// waits at most 100 ms at a time; then the interval rule flushes at the next look. A stop flushes the sinks anyway,
/// and disposal disposes them.</para>
/// <para>Listener thread only.</para>
/// </remarks>
sealed class LevelFlush
{
    /// <summary>The shortest time between two flushes caused by events.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the queue stays empty before a pending flush is made without waiting out the interval:
    /// the burst is over. Shorter than the 20 ms after which the built-in queue's listener sleeps.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(10);

    static readonly long IntervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);
    static readonly long QuietTicks = (long)(Quiet.TotalSeconds * Stopwatch.Frequency);

    readonly LogEventLevel _level;
    readonly ListenerSinks _sinks;

    /// <summary>When the last flush ended, in <see cref="Stopwatch"/> ticks.</summary>
    long _lastFlush = Stopwatch.GetTimestamp() - IntervalTicks;

    /// <summary>When the last event was handled while a flush was pending.</summary>
    long _lastHandled;

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
        if (!_pending) return;

        _lastHandled = Stopwatch.GetTimestamp();
        if (_lastHandled - _lastFlush >= IntervalTicks) Flush();
    }

    /// <summary>Called when the listener finds the queue empty, before it waits.</summary>
    public void Idle()
    {
        if (!_pending) return;

        var now = Stopwatch.GetTimestamp();
        if (now - _lastFlush >= IntervalTicks || now - _lastHandled >= QuietTicks) Flush();
    }

    void Flush()
    {
        _pending = false;

        // A failure is reported by the flusher; the events were written, so there is nothing more to do here.
        _sinks.Flush();
        _lastFlush = Stopwatch.GetTimestamp();
    }
}
