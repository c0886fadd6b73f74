using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Holds detail back until something goes wrong: Python's <c>MemoryHandler</c>, per request. Given to
/// <c>WriteTo.Queue(..., hold: new HoldOptions(...))</c>, it makes the listener keep events below
/// <see cref="Below"/> in memory instead of writing them; an event at or above <see cref="Until"/> writes the held
/// events of its group first, in their order, then itself. Events from <see cref="Below"/> up to
/// <see cref="Until"/> are written at once and release nothing.
/// </summary>
/// <remarks>
/// <para>Groups: with <see cref="Per"/> left <see langword="null"/>, every event is in one group, as with Python's
/// handler; with <see cref="TraceId"/>, events are grouped by their <see cref="LogEvent.TraceId"/>; with any other
/// name, by the value of that property (<c>RequestId</c>, say). An event without the key (no trace, no such
/// property) is in one shared group of keyless events, which only a keyless event at <see cref="Until"/> or above
/// releases: an error in one request writes that request's detail and nobody else's.</para>
/// <para>Bounds: at most <see cref="Limit"/> events are held across all groups; one more lets the oldest held event
/// go, whatever its group. A held event older than <see cref="MaxAge"/> is let go. What is let go is counted
/// (<see cref="QueueHandle.LetGoCount"/>, the <c>serilog.queue.let_go</c> counter), not reported as a failure: not
/// writing detail nobody asked for is the point.</para>
/// <para>At disposal the events still held are written (Python's <c>flushOnClose</c>), unless
/// <see cref="WriteOnClose"/> is <see langword="false"/>: then they are let go and counted. A flush
/// (<see cref="QueueHandle.Flush"/>) does not write held events.</para>
/// <para>The logger's own minimum level decides which events exist at all: to hold <c>Debug</c> events, the logger
/// must be set to create them, and the application pays for creating and enqueuing each.</para>
/// </remarks>
public sealed class HoldOptions
{
    /// <summary>The value of <see cref="Per"/> that groups events by their <see cref="LogEvent.TraceId"/>.</summary>
    public const string TraceId = "TraceId";

    /// <summary>The largest <see cref="Limit"/> accepted.</summary>
    public const int MaxLimit = 10_000_000;

    /// <summary>
    /// Hold events below <paramref name="below"/> until an event at or above <paramref name="until"/> in their group.
    /// </summary>
    /// <param name="below">Events below this level are held; the default, <see cref="LogEventLevel.Information"/>,
    /// holds <c>Debug</c> and <c>Verbose</c>.</param>
    /// <param name="until">An event at or above this level writes its group's held events, then itself; at least
    /// <paramref name="below"/>. The default is <see cref="LogEventLevel.Error"/>.</param>
    /// <param name="per">What groups events: <see langword="null"/> for one group, <see cref="TraceId"/> for the
    /// event's trace, any other name for that property's value.</param>
    /// <param name="limit">The most events held across all groups, from 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="maxAge">How long an event may be held before it is let go, more than zero; by default 30
    /// seconds.</param>
    /// <param name="writeOnClose">Whether disposal writes the events still held (the default) or lets them
    /// go.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a level is not defined, <paramref name="until"/> is below
    /// <paramref name="below"/>, or <paramref name="limit"/> or <paramref name="maxAge"/> is out of range.</exception>
    /// <exception cref="ArgumentException">When <paramref name="per"/> is empty or white space.</exception>
    public HoldOptions(
        LogEventLevel below = LogEventLevel.Information,
        LogEventLevel until = LogEventLevel.Error,
        string? per = null,
        int limit = 1000,
        TimeSpan? maxAge = null,
        bool writeOnClose = true)
    {
        if (below is < LogEventLevel.Verbose or > LogEventLevel.Fatal)
        {
            throw new ArgumentOutOfRangeException(nameof(below), below, "The level must be Verbose to Fatal.");
        }

        if (until is < LogEventLevel.Verbose or > LogEventLevel.Fatal || until < below)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until,
                "The trigger level must be Verbose to Fatal, and at least the level events are held below.");
        }

        if (per is not null && string.IsNullOrWhiteSpace(per))
        {
            throw new ArgumentException("The grouping property must not be empty; give null for one group.", nameof(per));
        }

        if (limit is < 1 or > MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The limit must be from 1 to {MaxLimit:N0} events.");
        }

        var age = maxAge ?? TimeSpan.FromSeconds(30);
        if (age <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAge), maxAge, "The age limit must be more than zero.");
        }

        Below = below;
        Until = until;
        Per = per;
        Limit = limit;
        MaxAge = age;
        WriteOnClose = writeOnClose;
    }

    /// <summary>Events below this level are held.</summary>
    public LogEventLevel Below { get; }

    /// <summary>An event at or above this level writes its group's held events, then itself.</summary>
    public LogEventLevel Until { get; }

    /// <summary>What groups events: <see langword="null"/> for one group, <see cref="TraceId"/>, or a property
    /// name.</summary>
    public string? Per { get; }

    /// <summary>The most events held across all groups.</summary>
    public int Limit { get; }

    /// <summary>How long an event may be held before it is let go.</summary>
    public TimeSpan MaxAge { get; }

    /// <summary>Whether disposal writes the events still held, or lets them go.</summary>
    public bool WriteOnClose { get; }
}
