using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Adds one event to a stream as an entry of its own, and waits for Redis to accept it: the producer side of a
/// <see cref="RedisStreamQueue"/>, so that a <see cref="QueueSink"/> in the consuming process can log through the same
/// stream as the producers.
/// </summary>
/// <remarks>Unlike <see cref="RedisStreamSink"/> it batches nothing, retries nothing and holds nothing: a failure is
/// thrown to the <see cref="QueueSink"/>, which reports the event. Safe on any thread: each call formats with a writer
/// of its own, and the connection is thread-safe.</remarks>
static class SingleEventAdd
{
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the entry.</exception>
    public static void Add(RedisConnection connection, RedisKey streamKey, LogEvent logEvent)
    {
        using var writer = new ClefWriter();
        writer.Write(logEvent);
        connection.Database.StreamAdd(streamKey, RedisStreamFormat.EventsField, writer.TakePayload());
    }
}
