namespace Serilog.Sinks.Queue;

/// <summary>
/// The parts of a <see cref="QueueListener"/> that its thread's loop and its shutdown use: handed to
/// <see cref="ListenerLoop"/> and <see cref="ListenerShutdown"/> instead of the listener itself, so that they reach
/// neither its public surface nor its overridable members, save the two they must call (<see cref="Handle"/>,
/// <see cref="SendSentinel"/>).
/// </summary>
/// <param name="Queue">The listener's queue.</param>
/// <param name="Sinks">The sinks it writes to.</param>
/// <param name="BuiltInQueue">The queue, when it is the built-in one; see <see cref="IBuiltInQueue"/>.</param>
/// <param name="RunState">Its lifecycle.</param>
/// <param name="Failures">Where failures are reported, with the listener as the sender.</param>
/// <param name="Reclaimer">Empties the queue once the thread takes nothing more.</param>
/// <param name="Handle">Calls <see cref="QueueListener.Handle"/>, an override included.</param>
/// <param name="HandlesByWritingOnly">Whether handling an event is only writing it to the sinks (see
/// <see cref="QueueListener.HandlesByWritingOnly"/>).</param>
/// <param name="SendSentinel">Calls <see cref="QueueListener.EnqueueSentinel"/>, an override included.</param>
/// <param name="LevelAware">The stage that holds events and flushes at a level, when configured; read as each run
/// starts, after configuration.</param>
sealed record ListenerParts(
    ILogEventQueue Queue,
    IBuiltInQueue? BuiltInQueue,
    ListenerSinks Sinks,
    ListenerRunState RunState,
    ListenerFailures Failures,
    LeftoverReclaimer Reclaimer,
    Action<Events.LogEvent> Handle,
    Func<bool> HandlesByWritingOnly,
    Action SendSentinel,
    Func<LevelAwareOutput?> LevelAware);
