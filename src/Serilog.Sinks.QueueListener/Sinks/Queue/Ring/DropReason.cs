namespace Serilog.Sinks.Queue;

/// <summary>Why a <see cref="LogEventQueue"/> dropped an event, as its report says.</summary>
enum DropReason
{
    /// <summary>The queue was full: the incoming event was rejected (<see cref="QueueFullMode.DropIncoming"/>).</summary>
    QueueFull,

    /// <summary>The queue was full: the oldest event was evicted for a new one (<see cref="QueueFullMode.DropOldest"/>).</summary>
    Evicted,

    /// <summary>In a drop mode, no slot could be had within a short spin (the producer of the oldest event, or the
    /// consumer taking it, was descheduled mid-step), so the incoming event was dropped rather than wait.</summary>
    NoSlot,
}
