namespace Serilog.Sinks.Queue;

/// <summary>What an attempt of <see cref="LogEventQueue"/> to evict its oldest event came to.</summary>
enum Eviction
{
    /// <summary>The oldest event was claimed and dropped: there is room for one more.</summary>
    Evicted,

    /// <summary>Nothing was claimed: another consumer took the head first, or its event is not yet published.</summary>
    Retry,

    /// <summary>Nothing was claimed: the oldest event is at or above the protected level.</summary>
    HeadProtected,

    /// <summary>The head was a slot evicted in place earlier: claimed and passed, with nothing to drop and no room
    /// gained (it counted as room already).</summary>
    PassedVacated,
}
