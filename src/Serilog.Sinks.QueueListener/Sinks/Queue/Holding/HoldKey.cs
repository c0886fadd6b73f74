using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reads the group key of an event, as <see cref="HoldOptions.Per"/> says: one key for every event, the event's
/// trace id, or a property's value; <see cref="Keyless"/> for an event without one.
/// </summary>
sealed class HoldKey
{
    /// <summary>The key of the one group when nothing groups events.</summary>
    static readonly object Everything = new();

    /// <summary>The key of the shared group of events that have no key.</summary>
    internal static readonly object Keyless = new();

    readonly string? _property;
    readonly bool _byTrace;

    public HoldKey(string? per)
    {
        _byTrace = per == HoldOptions.TraceId;
        _property = _byTrace ? null : per;
    }

    public object Of(LogEvent logEvent)
    {
        // ActivityTraceId and the scalar values a property holds (strings, numbers, Guids) compare by value, so
        // that two events of the same request land in the same group.
        if (_byTrace) return logEvent.TraceId is { } traceId ? traceId : Keyless;
        if (_property is null) return Everything;
        if (!logEvent.Properties.TryGetValue(_property, out var value)) return Keyless;
        return value is ScalarValue scalar ? scalar.Value ?? Keyless : value.ToString();
    }
}
