namespace Serilog.Sinks.Queue;

/// <summary>
/// The parts of a <see cref="QueueListener"/> that its stopping and disposing use: handed to
/// <see cref="ListenerShutdown"/> instead of the listener itself, so that it reaches neither the public surface nor
/// the overridable members, save the one it must call (<see cref="SendSentinel"/>).
/// </summary>
/// <param name="Queue">The listener's queue.</param>
/// <param name="Sinks">The sinks it writes to.</param>
/// <param name="RunState">Its lifecycle.</param>
/// <param name="Loop">Its thread's body.</param>
/// <param name="Failures">Where failures are reported, with the listener as the sender.</param>
/// <param name="Reclaimer">Empties the queue once the thread takes nothing more.</param>
/// <param name="SendSentinel">Calls <see cref="QueueListener.EnqueueSentinel"/>, an override included.</param>
sealed record ListenerParts(
    ILogEventQueue Queue,
    ListenerSinks Sinks,
    ListenerRunState RunState,
    ListenerLoop Loop,
    ListenerFailures Failures,
    LeftoverReclaimer Reclaimer,
    Action SendSentinel);
