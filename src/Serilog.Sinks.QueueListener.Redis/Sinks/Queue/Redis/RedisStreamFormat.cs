namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The names a stream entry uses; FORMAT.md describes the format for other readers and writers.
/// </summary>
static class RedisStreamFormat
{
    /// <summary>The field that holds the entry's events: CLEF lines, each ended by a line feed, UTF-8.</summary>
    public const string EventsField = "clef";
}
