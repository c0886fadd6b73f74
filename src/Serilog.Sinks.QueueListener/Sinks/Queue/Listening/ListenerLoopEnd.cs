namespace Serilog.Sinks.Queue;

/// <summary>Why the listener's loop ended.</summary>
enum ListenerLoopEnd
{
    /// <summary>At a sentinel of <see cref="QueueListener.Stop()"/>.</summary>
    StopSentinel,

    /// <summary>At the sentinel disposal sent.</summary>
    FinalSentinel,

    /// <summary>A shutdown gave up on the listener.</summary>
    Abandoned,

    /// <summary>The queue kept failing.</summary>
    QueueFailed,

    /// <summary>The queue was found empty after a stop that could send no sentinel.</summary>
    FoundEmpty,
}
