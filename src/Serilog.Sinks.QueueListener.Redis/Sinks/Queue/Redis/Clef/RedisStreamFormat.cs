namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The names a stream entry uses; FORMAT.md describes the format for other readers and writers.
/// </summary>
static class RedisStreamFormat
{
    /// <summary>The field that holds the entry's events: CLEF lines, each ended by a line feed, UTF-8.</summary>
    public const string EventsField = "clef";

    /// <summary>The field that names the producer that added the entry: unique to one sink in one process.</summary>
    public const string ProducerField = "producer";

    /// <summary>The field that numbers the producer's entries, from 1; a retried entry keeps its number.</summary>
    public const string SequenceField = "seq";
}
