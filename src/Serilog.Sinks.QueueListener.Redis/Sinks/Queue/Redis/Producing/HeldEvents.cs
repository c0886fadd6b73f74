using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>What a <see cref="RedisStreamSink"/> took back when it gave up (a shutdown that gave up on the listener,
/// or its own disposal): the events certainly not added to the stream, and those of an entry that may have
/// been.</summary>
/// <param name="NotWritten">Reported as not written, or handed back to the shutdown, which reports them.</param>
/// <param name="PossiblyWritten">Reported once by the sink, as possibly written.</param>
sealed record HeldEvents(List<LogEvent> NotWritten, List<LogEvent> PossiblyWritten);
