using System.Globalization;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The consumer side of the Redis transport: an <see cref="ILogEventQueue"/> that reads the events producers in any
/// number of processes add to a Redis stream, through a consumer group, for a <see cref="QueueListener"/>:
/// <c>new QueueListener(new RedisStreamQueue("localhost:6379", "logs"), sinks).Start()</c>.
/// </summary>
/// <remarks>
/// <para>Entries are read (<c>XREADGROUP</c>, the group created with <c>MKSTREAM</c> from the start of the stream if
/// missing) only when the listener waits for work, and only when nothing read is still waiting, so what this process
/// holds is at most one read's worth; what it has not read stays in the stream for the next listener of the group.
/// Markers (the listener's stop and flushes) are kept here, behind what has been read before them.</para>
/// <para>At least once: an entry stays in the group's pending list until the listener has handed its last event to
/// every sink and calls <see cref="Acknowledge"/>, which acknowledges it (<c>XACK</c>). A listener that stops or dies
/// first leaves it there. The first read of a queue recovers such entries: those this consumer read and never
/// acknowledged (a consumer restarted under the same name), then, with <c>XAUTOCLAIM</c>, those other consumers of
/// the group have held longer than the claim idle time (a consumer that died); this sweep is repeated every claim
/// idle time. So an event may be written twice (its first writer died before acknowledging, or held it past the
/// claim idle time): each event carries <see cref="EntryIdPropertyName"/> and <see cref="EntryIndexPropertyName"/>,
/// which together identify it, for a sink that deduplicates.</para>
/// <para>An entry with no readable event (no <c>clef</c> field, or nothing in it that is CLEF) is reported to the
/// failure listener with its id and acknowledged at once, so it is never read again; a bad line in an entry with
/// good ones is reported and skipped.</para>
/// <para><see cref="Enqueue"/> adds an event to the stream itself, as a producer would, so a
/// <see cref="QueueSink"/> in the consuming process can log through the same stream.</para>
/// </remarks>
public sealed class RedisStreamQueue : IAcknowledgingLogEventQueue, IDisposable, ISetLoggingFailureListener
{
    /// <summary>The consumer group used when none is named.</summary>
    public const string DefaultGroupName = "queue-listener";

    /// <summary>The property each event gets: the id of the stream entry it was read from, as a string
    /// (<c>"1700000000000-0"</c>).</summary>
    public const string EntryIdPropertyName = "RedisStreamEntryId";

    /// <summary>The property each event gets: its position among the events of its entry, from 0. With
    /// <see cref="EntryIdPropertyName"/>, it identifies the event, however often it is read.</summary>
    public const string EntryIndexPropertyName = "RedisStreamEntryIndex";

    static readonly TimeSpan DefaultClaimIdleTime = TimeSpan.FromSeconds(30);

    readonly IConnectionMultiplexer _connection;
    readonly bool _ownsConnection;
    readonly IDatabase _database;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly TimeSpan _pollInterval;

    /// <summary>What has been read and not yet dequeued, in order: events, each entry's <see cref="EntryEnd"/>
    /// right behind its last event, and markers. Under <see cref="_itemsLock"/>, which is never held across a call to
    /// Redis, so <see cref="EnqueueMarker"/> never waits for one.</summary>
    readonly Queue<object> _items = new();
    readonly object _itemsLock = new();

    /// <summary>The entries whose every event has been handed out and which are not yet acknowledged, each with the
    /// managed thread id of the <see cref="TryDequeue"/> that handed out its last event (or
    /// <see cref="AnyThread"/> for an entry with no event to hand out). Under <see cref="_itemsLock"/>.</summary>
    /// <remarks>Why the thread: <see cref="Acknowledge"/> means that what <see cref="TryDequeue"/> returned to the
    /// listener has been written, and the listener calls both on its own thread. After a shutdown that timed out,
    /// the shutdown also calls <see cref="TryDequeue"/>, on another thread, for events it reports as never written;
    /// an abandoned listener that then finishes its batch and acknowledges must not acknowledge those. Tagging with
    /// the thread tells them apart without the listener saying which is which.</remarks>
    readonly List<(RedisValue Id, int Thread)> _handedOut = [];

    /// <summary>The ids of the entries read and not yet acknowledged, so that a claim sweep does not hand out again
    /// an entry this queue still holds. Under <see cref="_itemsLock"/>.</summary>
    readonly HashSet<string> _held = new(StringComparer.Ordinal);

    const int AnyThread = 0;

    /// <summary>The number of events in <see cref="_items"/>; written under <see cref="_itemsLock"/>, read without
    /// it by <see cref="Count"/>, a snapshot.</summary>
    int _count;

    /// <summary>Serialises reads from Redis, so that entries are added to <see cref="_items"/> in the order they
    /// were read.</summary>
    readonly object _readLock = new();

    /// <summary>Under <see cref="_readLock"/>.</summary>
    readonly ConsumerGroupReader _reader;

    /// <summary>Set by <see cref="EnqueueMarker"/> to cut short a wait between polls; reset by the waiting listener
    /// before it looks, so a marker added after the look still ends the wait.</summary>
    readonly ManualResetEventSlim _wake = new(false);

    /// <summary>Set during configuration, before the listener starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>
    /// Read the stream <paramref name="streamKey"/> on the Redis server(s) of <paramref name="configuration"/>, as
    /// the consumer <paramref name="consumerName"/> of the group <paramref name="groupName"/>. The queue owns the
    /// connection and closes it when disposed.
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, as in <c>"localhost:6379"</c>.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="groupName">The consumer group; listeners of one group share the stream's events between
    /// them.</param>
    /// <param name="consumerName">This consumer's name within the group; by default the machine name and the
    /// process id.</param>
    /// <param name="readCount">The most entries read at once, from 1 to 10,000.</param>
    /// <param name="pollInterval">How long a waiting listener sleeps between reads that found nothing; from 1 ms to
    /// 10 s, by default 50 ms.</param>
    /// <param name="claimIdleTime">How long an entry must have been pending with another consumer of the group,
    /// unacknowledged, before this one claims it, and how often it looks for such entries; from 1 ms to 1 day, by
    /// default 30 s. Longer than the longest the sinks take over one batch, or a slow consumer's entries are written
    /// twice.</param>
    /// <exception cref="ArgumentNullException">When <paramref name="configuration"/> or
    /// <paramref name="streamKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="readCount"/>,
    /// <paramref name="pollInterval"/> or <paramref name="claimIdleTime"/> is out of range.</exception>
    public RedisStreamQueue(string configuration, string streamKey, string groupName = DefaultGroupName,
        string? consumerName = null, int readCount = 100, TimeSpan? pollInterval = null, TimeSpan? claimIdleTime = null)
        : this(Connect(configuration), ownsConnection: true, streamKey, groupName, consumerName, readCount, pollInterval, claimIdleTime)
    {
    }

    /// <summary>
    /// As the other constructor, with the default read count and poll interval, over a connection the caller owns
    /// and closes.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="groupName">The consumer group; listeners of one group share the stream's events between
    /// them.</param>
    /// <param name="consumerName">This consumer's name within the group.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    public RedisStreamQueue(IConnectionMultiplexer connection, string streamKey, string groupName, string consumerName)
        : this(connection, ownsConnection: false, streamKey, groupName,
            consumerName ?? throw new ArgumentNullException(nameof(consumerName)), 100, null, null)
    {
    }

    /// <summary>
    /// As the other constructor over a connection the caller owns, with a claim idle time of one's own.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="groupName">The consumer group.</param>
    /// <param name="consumerName">This consumer's name within the group.</param>
    /// <param name="claimIdleTime">How long an entry must have been pending with another consumer before this one
    /// claims it, and how often it looks; from 1 ms to 1 day.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="claimIdleTime"/> is out of range.</exception>
    public RedisStreamQueue(IConnectionMultiplexer connection, string streamKey, string groupName, string consumerName,
        TimeSpan claimIdleTime)
        : this(connection, ownsConnection: false, streamKey, groupName,
            consumerName ?? throw new ArgumentNullException(nameof(consumerName)), 100, null, claimIdleTime)
    {
    }

    RedisStreamQueue(IConnectionMultiplexer connection, bool ownsConnection, string streamKey, string groupName,
        string? consumerName, int readCount, TimeSpan? pollInterval, TimeSpan? claimIdleTime)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _ownsConnection = ownsConnection;
        _streamKey = RedisNames.Require(streamKey, nameof(streamKey));
        _groupName = RedisNames.Require(groupName, nameof(groupName));
        _consumerName = RedisNames.Require(
            consumerName ?? Environment.MachineName + ":" + RedisNames.ProcessId.ToString(CultureInfo.InvariantCulture),
            nameof(consumerName));
        if (readCount is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(readCount), readCount, "The read count must be from 1 to 10,000 entries.");
        }

        var interval = pollInterval ?? TimeSpan.FromMilliseconds(50);
        if (interval < TimeSpan.FromMilliseconds(1) || interval > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "The poll interval must be from 1 ms to 10 s.");
        }

        var claimAfter = claimIdleTime ?? DefaultClaimIdleTime;
        if (claimAfter < TimeSpan.FromMilliseconds(1) || claimAfter > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(claimIdleTime), claimAfter, "The claim idle time must be from 1 ms to 1 day.");
        }

        _pollInterval = interval;
        _database = connection.GetDatabase();
        _reader = new ConsumerGroupReader(_database, _streamKey, _groupName, _consumerName, readCount, claimAfter);
    }

    /// <summary>The stream's key.</summary>
    public string StreamKey => _streamKey.ToString();

    /// <summary>The consumer group.</summary>
    public string GroupName => _groupName.ToString();

    /// <summary>This consumer's name within the group.</summary>
    public string ConsumerName => _consumerName.ToString();

    /// <summary>Unbounded: the stream is the buffer, and this process holds one read's worth at most.</summary>
    public int Capacity => int.MaxValue;

    /// <summary>The number of events read from the stream and not yet dequeued; what is still in the stream is not
    /// counted.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Always zero: the queue never drops an event.</summary>
    public long DroppedCount => 0;

    /// <summary>
    /// Add <paramref name="logEvent"/> to the stream, in an entry of its own, and wait for Redis to accept it.
    /// </summary>
    /// <returns><see langword="true"/>, once Redis has added it.</returns>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the entry.</exception>
    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        if (logEvent is null) throw new ArgumentNullException(nameof(logEvent));
        cancellationToken.ThrowIfCancellationRequested();

        using var writer = new ClefWriter();
        writer.Write(logEvent);
        _database.StreamAdd(_streamKey, RedisStreamFormat.EventsField, writer.TakePayload());
        return true;
    }

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        lock (_itemsLock)
        {
            _items.Enqueue(marker);
        }

        _wake.Set();
    }

    /// <summary>
    /// Take events and markers already read off the head of the queue, without waiting and without calling Redis
    /// (so a shutdown that reclaims what is left finds only what was read, and leaves the rest in the stream).
    /// </summary>
    /// <inheritdoc/>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (batch is null) throw new ArgumentNullException(nameof(batch));

        marker = null;
        var count = 0;
        var thread = Environment.CurrentManagedThreadId;
        lock (_itemsLock)
        {
            // An entry's end is taken with its last event, even when that fills the batch.
            while (_items.Count > 0)
            {
                var head = _items.Peek();
                if (head is EntryEnd end)
                {
                    _items.Dequeue();
                    _handedOut.Add((end.Id, thread));
                    continue;
                }

                if (count == batch.Length) break;
                if (head is QueueMarker headMarker)
                {
                    if (count == 0)
                    {
                        marker = headMarker;
                        _items.Dequeue();
                    }

                    break;
                }

                batch[count++] = (LogEvent)_items.Dequeue();
            }

            _count -= count;
        }

        return count;
    }

    /// <summary>
    /// Acknowledge (<c>XACK</c>) every entry whose last event <see cref="TryDequeue"/> has handed out on this thread
    /// (the listener's), and every unreadable entry not yet acknowledged. An entry of which some events are still
    /// here waits for the acknowledgement after its last one.
    /// </summary>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the command; the entries are
    /// acknowledged with the next batch's.</exception>
    public void Acknowledge() => AcknowledgeHandedOut(Environment.CurrentManagedThreadId);

    /// <summary>
    /// Wait until something read can be dequeued: read the stream when nothing read is waiting, and again every
    /// poll interval until the timeout passes, or a marker arrives.
    /// </summary>
    /// <inheritdoc/>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the read; the listener retries
    /// with a backoff.</exception>
    public bool WaitToDequeue(TimeSpan timeout)
    {
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var deadline = infinite ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            _wake.Reset();
            if (HasItems() || Read()) return true;

            var left = infinite ? _pollInterval : deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;

            _wake.Wait(left < _pollInterval ? left : _pollInterval);
        }
    }

    /// <summary>
    /// Set the failure listener, to which unreadable entries are reported.
    /// </summary>
    /// <param name="failureListener">The listener to report failures to.</param>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

    /// <summary>
    /// Close the connection, when the queue opened it. Entries read and not yet acknowledged are not put back: they
    /// stay in the group's pending list, for this consumer's next start or another consumer's claim.
    /// </summary>
    public void Dispose()
    {
        if (_ownsConnection) _connection.Dispose();
    }

    bool HasItems()
    {
        lock (_itemsLock)
        {
            return _items.Count > 0;
        }
    }

    /// <summary>Read entries for this consumer (see <see cref="ConsumerGroupReader"/>) and add their events to
    /// <see cref="_items"/>, until some event is added or there is nothing more to read.</summary>
    /// <returns>Whether any event was added.</returns>
    bool Read()
    {
        lock (_readLock)
        {
            var added = 0;
            var unreadable = false;
            while (added == 0)
            {
                var entries = _reader.Read(IsHeld);
                if (entries.Count == 0) break;

                foreach (var entry in entries)
                {
                    var id = entry.Id;
                    var events = ReadEvents(entry);
                    lock (_itemsLock)
                    {
                        _held.Add(id.ToString());
                        if (events.Count == 0)
                        {
                            _handedOut.Add((id, AnyThread));
                            unreadable = true;
                            continue;
                        }

                        foreach (var logEvent in events)
                        {
                            _items.Enqueue(logEvent);
                        }

                        _items.Enqueue(new EntryEnd(id));
                        _count += events.Count;
                    }

                    added += events.Count;
                }
            }

            if (unreadable) AcknowledgeUnreadable();
            return added > 0;
        }
    }

    /// <summary>The events of <paramref name="entry"/>, each with its entry id and index; unreadable lines, or an
    /// entry with no events, are reported.</summary>
    List<LogEvent> ReadEvents(StreamEntry entry)
    {
        // XREADGROUP returns a pending entry deleted from the stream since (trimmed) without fields: there is
        // nothing left to write, and this consumer read it before.
        if (entry.Values is null || entry.Values.Length == 0) return [];

        var payload = entry[RedisStreamFormat.EventsField];
        if (payload.IsNull)
        {
            ReportUnreadable(entry.Id, $"has no {RedisStreamFormat.EventsField} field", null);
            return [];
        }

        var events = ClefReader.ReadLines((byte[])payload!, ex => ReportUnreadable(entry.Id, "has an unreadable event, which is skipped", ex));
        if (events.Count == 0)
        {
            ReportUnreadable(entry.Id, "has no readable event", null);
            return events;
        }

        var id = new ScalarValue(entry.Id.ToString());
        for (var i = 0; i < events.Count; i++)
        {
            events[i].AddOrUpdateProperty(new LogEventProperty(EntryIdPropertyName, id));
            events[i].AddOrUpdateProperty(new LogEventProperty(EntryIndexPropertyName, new ScalarValue(i)));
        }

        return events;
    }

    bool IsHeld(RedisValue id)
    {
        lock (_itemsLock)
        {
            return _held.Contains(id.ToString());
        }
    }

    /// <summary>Acknowledge unreadable entries at once, so that a stream of nothing else does not wait for a batch
    /// that never comes; a failure is reported, and they go with the next acknowledgement.</summary>
    void AcknowledgeUnreadable()
    {
        try
        {
            AcknowledgeHandedOut(AnyThread);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Report(LoggingFailureKind.Temporary, $"failed to acknowledge unreadable entries of the redis stream {_streamKey}; retrying with the next batch", ex);
        }
    }

    /// <summary>Acknowledge the handed-out entries of <paramref name="thread"/> and those of no thread.</summary>
    void AcknowledgeHandedOut(int thread)
    {
        List<(RedisValue Id, int Thread)> taken;
        lock (_itemsLock)
        {
            taken = _handedOut.FindAll(h => h.Thread == thread || h.Thread == AnyThread);
            if (taken.Count == 0) return;
            _handedOut.RemoveAll(h => h.Thread == thread || h.Thread == AnyThread);
        }

        try
        {
            _reader.Acknowledge([.. taken.Select(h => h.Id)]);
        }
        catch
        {
            lock (_itemsLock)
            {
                _handedOut.AddRange(taken);
            }

            throw;
        }

        lock (_itemsLock)
        {
            foreach (var (id, _) in taken)
            {
                _held.Remove(id.ToString());
            }
        }
    }

    void ReportUnreadable(RedisValue entryId, string what, Exception? exception) =>
        Report(LoggingFailureKind.Permanent, $"the entry {entryId} of the redis stream {_streamKey} {what}", exception);

    void Report(LoggingFailureKind kind, string message, Exception? exception)
    {
        try
        {
            _failureListener.OnLoggingFailed(this, kind, message, null, exception);
        }
        catch
        {
            // A failure listener that fails has nowhere left to report to.
        }
    }

    /// <summary>Stands in <see cref="_items"/> right behind the last event of the entry <see cref="Id"/>.</summary>
    sealed class EntryEnd(RedisValue id)
    {
        public RedisValue Id { get; } = id;
    }

    static IConnectionMultiplexer Connect(string configuration)
    {
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        return RedisNames.Connect(configuration);
    }
}
