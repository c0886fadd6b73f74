using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What stands between the listener's <c>Handle</c> and its sinks when events are held
/// (<see cref="HoldOptions"/>) or the sinks are flushed at a level: built only then, so that a listener with neither
/// hands each event to the sinks as before, with no check per event. Listener thread only, but for the counters.
/// </summary>
sealed class LevelAwareOutput
{
    readonly ListenerSinks _sinks;
    readonly ListenerFailures _failures;
    readonly EventHolding? _holding;
    readonly LevelFlush? _flush;

    LevelAwareOutput(ListenerSinks sinks, ListenerFailures failures, HoldOptions? hold, LogEventLevel? flushAtLevel)
    {
        _sinks = sinks;
        _failures = failures;
        if (hold is not null) _holding = new EventHolding(hold, sinks.Emit);
        if (flushAtLevel is { } level) _flush = new LevelFlush(level, sinks);
    }

    /// <returns><see langword="null"/> when neither is asked for.</returns>
    public static LevelAwareOutput? Create(ListenerSinks sinks, ListenerFailures failures, HoldOptions? hold, LogEventLevel? flushAtLevel) =>
        hold is null && flushAtLevel is null ? null : new LevelAwareOutput(sinks, failures, hold, flushAtLevel);

    /// <summary>Events held now; 0 when nothing is held.</summary>
    public int HeldCount => _holding?.HeldCount ?? 0;

    /// <summary>Held events let go without being written.</summary>
    public long LetGoCount => _holding?.LetGoCount ?? 0;

    /// <summary>Whether events are held at all.</summary>
    public bool Holds => _holding is not null;

    /// <summary>Write <paramref name="prepared"/>, or hold it.</summary>
    public void Emit(LogEvent prepared)
    {
        if (_holding is null) _sinks.Emit(prepared);
        else _holding.Handle(prepared);

        _flush?.Handled(prepared.Level);
    }

    /// <summary>Called when the listener finds the queue empty, before it waits.</summary>
    public void Idle()
    {
        _holding?.Idle();
        _flush?.Idle();
    }

    /// <summary>Called at the end of the final run, before the sinks are disposed: writes the held events, or lets
    /// them go, as <see cref="HoldOptions.WriteOnClose"/> says.</summary>
    /// <param name="abandoned">Whether the shutdown gave up on the listener: the held events that were to be written
    /// are then reported as not written instead, since the application has been told the shutdown is over.</param>
    public void Close(bool abandoned)
    {
        if (_holding?.Close(abandoned) is not { Count: > 0 } notWritten) return;

        _failures.Report(LoggingFailureKind.Final,
            $"the shutdown gave up on the listener; {notWritten.Count} events held until a trigger were not written", notWritten);
    }
}
