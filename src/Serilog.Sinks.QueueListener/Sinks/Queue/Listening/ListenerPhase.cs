namespace Serilog.Sinks.Queue;

/// <summary>
/// Where a <see cref="QueueListener"/> is in its life; the one state of <see cref="ListenerRunState"/>, whose
/// remarks give the transitions.
/// </summary>
enum ListenerPhase
{
    /// <summary>Never started; no thread.</summary>
    NotStarted,

    /// <summary>A thread is running and no stop sentinel has been sent for its run.</summary>
    Running,

    /// <summary>A thread is running and a stop sentinel has been sent: the run ends when the thread reaches it.</summary>
    Stopping,

    /// <summary>A run has ended; the listener may be started again.</summary>
    Stopped,

    /// <summary>Disposal has begun: the thread of the final run is running, and disposal's final sentinel has been
    /// sent (or is being sent) behind everything queued.</summary>
    Disposing,

    /// <summary>The final run has ended (its thread disposed the sinks), or disposal could not start it.</summary>
    Disposed,
}
