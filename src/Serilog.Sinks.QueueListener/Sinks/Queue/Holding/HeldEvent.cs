using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// An event <see cref="EventHolding"/> holds: a link in the list of all held events, oldest first, and in its
/// group's list. Listener thread only.
/// </summary>
sealed class HeldEvent
{
    public HeldEvent(LogEvent logEvent, HeldGroup group, long heldAt)
    {
        Event = logEvent;
        Group = group;
        HeldAt = heldAt;
    }

    public LogEvent Event { get; }

    public HeldGroup Group { get; }

    /// <summary>When it was held, in <see cref="System.Diagnostics.Stopwatch"/> ticks: the listener's clock, which
    /// never steps back, rather than the event's timestamp, which producers set in no particular order.</summary>
    public long HeldAt { get; }

    /// <summary>The held event before this one, whatever its group.</summary>
    public HeldEvent? Older { get; set; }

    /// <summary>The held event after this one, whatever its group.</summary>
    public HeldEvent? Newer { get; set; }

    /// <summary>The next held event of the same group.</summary>
    public HeldEvent? NextInGroup { get; set; }
}
