using System.Runtime.CompilerServices;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Marks a thread as a listener thread, and tracks how deeply nested the logging done there is, so that a
/// <see cref="QueueSink"/> called from a sink on a listener thread (a sink that logs through the same logger, an
/// HTTP client that logs, SelfLog routed into Serilog) neither waits for room only that thread could make nor loops
/// forever.
/// </summary>
/// <remarks>
/// Depth: an event the application logs has depth 0; an event logged on a listener thread while it handles an event
/// of depth <c>d</c> has depth <c>d + 1</c>. Depths are kept, for events logged on listener threads only, in a table
/// that lets each entry go with its event. A sink that logs once for every event it writes would otherwise feed
/// itself forever: the chain is cut at <see cref="MaxDepth"/>.
/// </remarks>
sealed class ListenerThreadContext
{
    /// <summary>The deepest nesting of logging from listener threads that is queued; deeper events are reported
    /// instead. Legitimate chains (a sink logs about an event, and the logging of that logs once more) stay well
    /// within it; a loop reaches it after a few rounds.</summary>
    public const int MaxDepth = 8;

    [ThreadStatic]
    static ListenerThreadContext? t_current;

    static readonly ConditionalWeakTable<LogEvent, StrongBox<int>> Depths = new();

    /// <summary>The context of the listener thread this is, or <see langword="null"/> on any other thread.</summary>
    public static ListenerThreadContext? Current => t_current;

    /// <summary>The event the listener thread is handling. Written and read by the listener thread only.</summary>
    public LogEvent? Handling { get; set; }

    /// <summary>Mark the calling thread as a listener thread until <see cref="Leave"/>.</summary>
    public static ListenerThreadContext Enter() => t_current = new ListenerThreadContext();

    public static void Leave() => t_current = null;

    /// <summary>The depth an event logged now, on this thread, has.</summary>
    public int DepthOfNewEvent() =>
        Handling is { } handling && Depths.TryGetValue(handling, out var depth) ? depth.Value + 1 : 1;

    /// <summary>Remember <paramref name="depth"/> for <paramref name="logEvent"/>, until the event is
    /// collected.</summary>
    public static void Record(LogEvent logEvent, int depth)
    {
        // Every listener thread that logs takes this lock, so one may wait for another here; an interrupt that lands
        // in that wait must not make Emit throw (the event would be lost): it is held back and raised again after.
        var interrupted = InterruptDeferral.Enter(Depths);
        try
        {
            // The same event may be logged again (a sink that forwards what it receives); the last depth wins.
            Depths.Remove(logEvent);
            Depths.Add(logEvent, new StrongBox<int>(depth));
        }
        finally
        {
            Monitor.Exit(Depths);
            InterruptDeferral.Restore(interrupted);
        }
    }
}
