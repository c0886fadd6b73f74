using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>An event a <see cref="LogEventQueue"/> dropped, held by <see cref="DropReporter"/> until it is
/// reported.</summary>
readonly record struct DroppedEvent(LogEvent Event, DropReason Reason);
