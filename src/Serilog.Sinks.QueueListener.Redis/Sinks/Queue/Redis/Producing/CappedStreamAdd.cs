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
/// <para>Added already: a batch whose earlier attempt was added, and then not counted as sent because too few replicas
/// acknowledged it (see <see cref="ReplicaWait"/>), names that entry; while the stream still holds it, the script adds
/// nothing and only sets the stream's last id to itself, a write that changes nothing and is replicated all the same,
/// so that a <c>WAIT</c> after it counts the replicas that have the entry, whichever connection asks. On a server
/// without it (a replica promoted before it had it, or a stream trimmed since) it is added again.</para>
/// </remarks>
static class CappedStreamAdd
{
    const string Script = """
        if ARGV[8] ~= '' and #redis.call('XRANGE', KEYS[1], ARGV[8], ARGV[8]) == 1 then
          local info = redis.call('XINFO', 'STREAM', KEYS[1])
          for i = 1, #info, 2 do
            if info[i] == 'last-generated-id' then redis.call('XSETID', KEYS[1], info[i + 1]) end
          end
          return ARGV[8]
        end
        if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
          return false
        end
        return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
        """;

    /// <summary>Add the batch's payload as the events field of a new entry, with the producer's id and the entry's
    /// number (see FORMAT.md); unless <see cref="StreamBatch.AddedId"/> names an entry the stream still holds.</summary>
    /// <returns>The entry's id, or a null result when the stream is full.</returns>
    public static Task<RedisResult> AddAsync(IDatabase database, RedisKey streamKey, int maxStreamLength, StreamBatch batch,
        RedisValue producer) =>
        database.ScriptEvaluateAsync(Script, [streamKey],
        [
            maxStreamLength,
            RedisStreamFormat.EventsField, batch.Payload,
            RedisStreamFormat.ProducerField, producer,
            RedisStreamFormat.SequenceField, batch.Sequence,
            batch.AddedId.IsNull ? RedisValue.EmptyString : batch.AddedId,
        ]);
}
