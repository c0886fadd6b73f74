namespace Serilog.Sinks.Queue;

/// <summary>Which optional parts follow the level in an event's payload; part of the format (FORMAT.md).</summary>
[Flags]
enum EventFlags : byte
{
    None = 0,
    TraceId = 1,
    SpanId = 2,
    Exception = 4,
}
