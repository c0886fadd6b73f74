using Serilog.Core;
using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Turns the entries a <see cref="RedisStreamQueue"/> reads into events, each marked with where it came from, and
/// reports what cannot be written: unreadable entries and lines, entries deleted before they were written, poison
/// entries. Holds no state of its own but a shared table of immutable values: safe on any thread.
/// </summary>
sealed class EntryDecoder
{
    /// <summary>Entries hold up to a few thousand events; an index past these gets a value of its own.</summary>
    const int CachedIndexes = 4096;

    /// <summary>
    /// The index values, made as first needed and then shared by every event at that index (a value is immutable).
    /// Threads that race on a slot each make an equal value and one of them stays: a benign race.
    /// </summary>
    static readonly ScalarValue?[] IndexValues = new ScalarValue?[CachedIndexes];

    readonly RedisKey _streamKey;
    readonly Action<LoggingFailureKind, string, IReadOnlyCollection<LogEvent>?, Exception?> _report;

    /// <param name="streamKey">The stream, for the reports.</param>
    /// <param name="report">Where failures go.</param>
    public EntryDecoder(RedisKey streamKey, Action<LoggingFailureKind, string, IReadOnlyCollection<LogEvent>?, Exception?> report)
    {
        _streamKey = streamKey;
        _report = report;
    }

    /// <summary>The events of <paramref name="entry"/>, each with its entry id and index, and its producer and
    /// sequence when the entry names them; unreadable lines, or an entry with no events, are reported.</summary>
    /// <remarks>The entry's properties replace any of the same names that an event's line carries.</remarks>
    public List<LogEvent> Events(StreamEntry entry)
    {
        // XREADGROUP returns a pending entry deleted from the stream since without fields: there is nothing left
        // to write. Collectors never trim an entry a group has not acknowledged, so something else deleted it.
        if (entry.Values is null || entry.Values.Length == 0)
        {
            ReportDeleted(entry.Id);
            return [];
        }

        var payload = entry[RedisStreamFormat.EventsField];
        if (payload.IsNull)
        {
            ReportUnreadable(entry.Id, $"has no {RedisStreamFormat.EventsField} field", null);
            return [];
        }

        // The entry's values are the same on each of its events but the index: made once, and set by the reader on
        // each event as it makes it.
        var id = new ScalarValue(entry.Id.ToString());
        var producer = entry[RedisStreamFormat.ProducerField];
        var producerId = producer.IsNull ? null : new ScalarValue(producer.ToString());
        var sequence = entry[RedisStreamFormat.SequenceField].TryParse(out long number) ? new ScalarValue(number) : null;
        var events = ClefReader.ReadLines((byte[])payload!,
            ex => ReportUnreadable(entry.Id, "has an unreadable event, which is skipped", ex),
            addedProperties: 4,
            (index, properties) =>
            {
                properties[RedisStreamQueue.EntryIdPropertyName] = id;
                properties[RedisStreamQueue.EntryIndexPropertyName] = IndexValue(index);
                if (producerId is null || sequence is null) return;

                properties[RedisStreamQueue.ProducerPropertyName] = producerId;
                properties[RedisStreamQueue.SequencePropertyName] = sequence;
            });
        if (events.Count == 0) ReportUnreadable(entry.Id, "has no readable event", null);

        return events;
    }

    /// <summary>Report a poison entry with what can be read of its events.</summary>
    /// <returns>The number of events reported.</returns>
    public int ReportPoison(StreamEntry entry, long deliveries)
    {
        var payload = entry[RedisStreamFormat.EventsField];
        var events = payload.IsNull ? [] : ClefReader.ReadLines((byte[])payload!, _ => { });
        _report(LoggingFailureKind.Permanent,
            $"the entry {entry.Id} of the redis stream {_streamKey} was delivered {deliveries} times without being acknowledged, more than the limit; its {events.Count} events are not written, and it is acknowledged",
            events, null);
        return events.Count;
    }

    /// <summary>Report entries found pending with this consumer that it no longer held, which it now writes.</summary>
    public void ReportFoundAgain(int entries) =>
        _report(LoggingFailureKind.Temporary, string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "found {0} entries of the redis stream {1} pending with this collector that it no longer held (delivered by a read whose reply was lost, or acknowledged on a primary that a failover then demoted); they are written now, so events of them may be written twice",
            entries, _streamKey), null, null);

    public void ReportDeleted(RedisValue entryId) =>
        _report(LoggingFailureKind.Permanent,
            $"the entry {entryId} of the redis stream {_streamKey} was deleted from the stream before it was written; its events are lost",
            null, null);

    static ScalarValue IndexValue(int index) =>
        index < CachedIndexes ? IndexValues[index] ??= new ScalarValue(index) : new ScalarValue(index);

    void ReportUnreadable(RedisValue entryId, string what, Exception? exception) =>
        _report(LoggingFailureKind.Permanent, $"the entry {entryId} of the redis stream {_streamKey} {what}", null, exception);
}
