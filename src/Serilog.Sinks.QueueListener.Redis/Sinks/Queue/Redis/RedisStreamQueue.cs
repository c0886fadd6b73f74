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
/// <para>Read entries are not yet acknowledged (<c>XACK</c>): they stay in the group's pending list.</para>
/// <para><see cref="Enqueue"/> adds an event to the stream itself, as a producer would, so a
/// <see cref="QueueSink"/> in the consuming process can log through the same stream.</para>
/// </remarks>
public sealed class RedisStreamQueue : ILogEventQueue, IDisposable, ISetLoggingFailureListener
{
    /// <summary>The consumer group used when none is named.</summary>
    public const string DefaultGroupName = "queue-listener";

    readonly IConnectionMultiplexer _connection;
    readonly bool _ownsConnection;
    readonly IDatabase _database;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly int _readCount;
    readonly TimeSpan _pollInterval;

    /// <summary>What has been read and not yet dequeued: events and markers in order. Under
    /// <see cref="_itemsLock"/>, which is never held across a call to Redis, so <see cref="EnqueueMarker"/> never
    /// waits for one.</summary>
    readonly Queue<object> _items = new();
    readonly object _itemsLock = new();

    /// <summary>The number of events in <see cref="_items"/>; written under <see cref="_itemsLock"/>, read without
    /// it by <see cref="Count"/>, a snapshot.</summary>
    int _count;

    /// <summary>Serialises reads from Redis, so that entries are added to <see cref="_items"/> in the order they
    /// were read.</summary>
    readonly object _readLock = new();

    /// <summary>Whether the consumer group is known to exist. Under <see cref="_readLock"/>.</summary>
    bool _groupReady;

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
    /// <exception cref="ArgumentNullException">When <paramref name="configuration"/> or
    /// <paramref name="streamKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="readCount"/> or
    /// <paramref name="pollInterval"/> is out of range.</exception>
    public RedisStreamQueue(string configuration, string streamKey, string groupName = DefaultGroupName,
        string? consumerName = null, int readCount = 100, TimeSpan? pollInterval = null)
        : this(Connect(configuration), ownsConnection: true, streamKey, groupName, consumerName, readCount, pollInterval)
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
        : this(connection, ownsConnection: false, streamKey, groupName, consumerName ?? throw new ArgumentNullException(nameof(consumerName)), 100, null)
    {
    }

    RedisStreamQueue(IConnectionMultiplexer connection, bool ownsConnection, string streamKey, string groupName,
        string? consumerName, int readCount, TimeSpan? pollInterval)
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

        _readCount = readCount;
        _pollInterval = interval;
        _database = connection.GetDatabase();
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
        lock (_itemsLock)
        {
            while (count < batch.Length && _items.Count > 0)
            {
                if (_items.Peek() is QueueMarker head)
                {
                    if (count == 0)
                    {
                        marker = head;
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
    /// Close the connection, when the queue opened it. Events read and not yet dequeued are not put back: they stay
    /// in the group's pending list.
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

    /// <summary>Read new entries for this consumer and add their events to <see cref="_items"/>.</summary>
    /// <returns>Whether any event was added.</returns>
    bool Read()
    {
        lock (_readLock)
        {
            var entries = ReadEntries();
            var added = 0;
            foreach (var entry in entries)
            {
                var payload = entry[RedisStreamFormat.EventsField];
                if (payload.IsNull) continue;

                var events = ClefReader.ReadLines((byte[])payload!, ex => ReportUnreadable(entry.Id, ex));
                lock (_itemsLock)
                {
                    foreach (var logEvent in events)
                    {
                        _items.Enqueue(logEvent);
                    }

                    _count += events.Count;
                }

                added += events.Count;
            }

            return added > 0;
        }
    }

    StreamEntry[] ReadEntries()
    {
        if (!_groupReady) CreateGroup();

        try
        {
            return _database.StreamReadGroup(_streamKey, _groupName, _consumerName, StreamPosition.NewMessages, _readCount);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The stream (and its group with it) was deleted since: start again from its beginning.
            CreateGroup();
            return _database.StreamReadGroup(_streamKey, _groupName, _consumerName, StreamPosition.NewMessages, _readCount);
        }
    }

    /// <summary>Create the group from the start of the stream, so that events added before the first listener
    /// started are read too; creating the stream if there is none yet.</summary>
    void CreateGroup()
    {
        try
        {
            _database.StreamCreateConsumerGroup(_streamKey, _groupName, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another listener of the group created it first.
        }

        _groupReady = true;
    }

    void ReportUnreadable(RedisValue entryId, Exception exception)
    {
        try
        {
            _failureListener.OnLoggingFailed(this, LoggingFailureKind.Permanent,
                $"skipped an unreadable event in entry {entryId} of the redis stream {_streamKey}", null, exception);
        }
        catch
        {
            // A failure listener that fails has nowhere left to report to.
        }
    }

    static IConnectionMultiplexer Connect(string configuration)
    {
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        return RedisNames.Connect(configuration);
    }
}
