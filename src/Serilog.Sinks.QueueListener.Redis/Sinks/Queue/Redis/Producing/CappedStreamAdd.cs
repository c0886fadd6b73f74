using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Adds an entry to a stream unless the stream already holds its limit of entries: the producer's side of keeping
/// Redis's memory bounded without trimming what no collector has read.
/// </summary>
/// <remarks>
/// <para>The length check and the <c>XADD</c> run as one script, so producers racing for the last place cannot
/// overshoot the limit. Collectors trim what every group has acknowledged (see <see cref="AcknowledgedTrim"/>), so
/// the length is the backlog: what is unread or unacknowledged, plus what was acknowledged since the last trim.</para>
/// <para>Why not <c>XADD ... MAXLEN</c>: it makes room by deleting the oldest entries, read or not, so a collector
/// that falls behind would lose events without anyone counting them. Refusing the entry instead keeps it in the
/// producer, where the queue in front applies its <c>fullMode</c>: Block waits, the drop modes drop and
/// report.</para>
/// </remarks>
static class CappedStreamAdd
{
    const string Script = """
        if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
          return false
        end
        return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
        """;

    /// <summary>Add <paramref name="payload"/> as the events field of a new entry, with the producer's id and the
    /// entry's number (see FORMAT.md).</summary>
    /// <returns>The new entry's id, or a null result when the stream is full.</returns>
    public static Task<RedisResult> AddAsync(IDatabase database, RedisKey streamKey, int maxStreamLength, byte[] payload,
        RedisValue producer, long sequence) =>
        database.ScriptEvaluateAsync(Script, [streamKey],
        [
            maxStreamLength,
            RedisStreamFormat.EventsField, payload,
            RedisStreamFormat.ProducerField, producer,
            RedisStreamFormat.SequenceField, sequence,
        ]);
}
