using System.Globalization;
using Serilog.Core;
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
/// good ones is reported and skipped. An entry delivered more than the delivery limit times without being
/// acknowledged (one whose writing keeps killing its consumer) is reported with its events, counted in
/// <see cref="DroppedCount"/>, and acknowledged, so that it cannot stop the group.</para>
/// <para>Bounded: at most every trim interval, and whenever the listener waits for work, the queue deletes from the
/// stream what every consumer group has acknowledged (<c>XTRIM MINID</c>), never an entry some group has not read
/// or written; so the stream holds the backlog, which producers cap with their <c>maxStreamLength</c>. A pending entry
/// deleted from the stream (by something else) before it was written is reported with its id.</para>
/// <para><see cref="Enqueue"/> adds an event to the stream as a producer would, for a <see cref="QueueSink"/> here.</para>
/// <para>A thin adapter over its parts, each with its threads and locks in its own remarks: the schedule of reads
/// (<see cref="PollingSchedule"/>), the reads and what they take in, key by key for a stream over several
/// (<see cref="RedisStreamQueueOptions.Shards"/>, <see cref="ShardedIntake"/>), each key with its own group, claims
/// and poison (<see cref="EntryIntake"/>, <see cref="ConsumerGroupReader"/>) and outages (<see cref="ReadOutage"/>),
/// what was read and handed out (<see cref="ReadEntries"/>), the acknowledgements, each on its entry's key
/// (<see cref="Acknowledgements"/>), the trim (<see cref="AcknowledgedTrim"/>), the producer side
/// (<see cref="SingleEventAdd"/>) and the settings, checked once (<see cref="RedisStreamQueueOptions"/>).</para>
/// </remarks>
public sealed class RedisStreamQueue : IAcknowledgingLogEventQueue, IRetainingQueue, IDisposable, ISetLoggingFailureListener
{
    /// <summary>The property each event gets: the id of the stream entry it was read from, as a string
    /// (<c>"1700000000000-0"</c>).</summary>
    public const string EntryIdPropertyName = "RedisStreamEntryId";

    /// <summary>The property each event gets: its position among the events of its entry, from 0. With
    /// <see cref="EntryIdPropertyName"/>, it identifies the event, however often it is read.</summary>
    public const string EntryIndexPropertyName = "RedisStreamEntryIndex";

    /// <summary>The property each event gets when its entry names its producer: the producer's id, a string unique
    /// to one sink in one process.</summary>
    public const string ProducerPropertyName = "RedisStreamProducer";

    /// <summary>The property each event gets when its entry names its producer: the entry's number among that
    /// producer's, from 1. With <see cref="ProducerPropertyName"/> and <see cref="EntryIndexPropertyName"/>, it
    /// identifies the event even when the producer added its entry twice (a retry after a lost reply).</summary>
    public const string SequencePropertyName = "RedisStreamSequence";

    static readonly TimeSpan DisposalAcknowledgementWait = TimeSpan.FromSeconds(5);

    /// <summary>Being made in the background when the queue opened it, so that the constructor never waits for
    /// Redis; closed at disposal when it is the queue's own.</summary>
    readonly RedisConnection _connection;
    readonly StreamKeys _keys;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly QueueFailures _failures;
    readonly ReadEntries _entries;
    readonly ShardedIntake _intake;
    readonly Acknowledgements _acknowledgements;
    readonly DequeueWait _wait;

    /// <summary>1 once <see cref="Dispose"/> has begun, so that a second call does nothing; a failed acknowledgement
    /// it would send again, and trim after, would then go to a closed connection.</summary>
    int _disposed;

    /// <summary>
    /// Read the stream <paramref name="streamKey"/> on the Redis server(s) of <paramref name="configuration"/>, with
    /// the defaults of <see cref="RedisStreamQueueOptions"/>. The queue owns the connection, made in the background,
    /// and closes it when disposed.
    /// </summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, as in <c>"localhost:6379"</c>.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty (or holds a brace with several
    /// shards), or <paramref name="configuration"/> cannot be parsed.</exception>
    public RedisStreamQueue(string configuration, string streamKey)
        : this(configuration, streamKey, new RedisStreamQueueOptions())
    {
    }

    /// <summary>As the other constructor, with options of one's own.</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, as in <c>"localhost:6379"</c>.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="options">The group, the consumer's name and the tunings.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty (or holds a brace with several
    /// shards), or <paramref name="configuration"/> cannot be parsed.</exception>
    public RedisStreamQueue(string configuration, string streamKey, RedisStreamQueueOptions options)
        : this(Connect(configuration, streamKey, options), streamKey, options)
    {
    }

    /// <summary>As the other constructor, over a connection the caller owns and closes (after the queue).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="options">The group, the consumer's name and the tunings.</param>
    /// <exception cref="ArgumentNullException">When an argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="streamKey"/> is empty, or holds a brace with several
    /// shards.</exception>
    public RedisStreamQueue(IConnectionMultiplexer connection, string streamKey, RedisStreamQueueOptions options)
        : this(new RedisConnection(connection ?? throw new ArgumentNullException(nameof(connection))), streamKey,
            options ?? throw new ArgumentNullException(nameof(options)))
    {
    }

    RedisStreamQueue(RedisConnection connection, string streamKey, RedisStreamQueueOptions options)
    {
        _connection = connection;
        _keys = new StreamKeys(StreamKeys.Check(streamKey, options), options.Shards);
        _groupName = options.GroupName;
        _consumerName = options.ConsumerName ?? Environment.MachineName + ":" + RedisNames.ProcessId.ToString(CultureInfo.InvariantCulture);
        _failures = new QueueFailures(this);
        EntryDecoder[] decoders = [.. _keys.Shards.Select(key => new EntryDecoder(key, _failures.Report))];
        _entries = new ReadEntries((shard, entry) => decoders[shard].Events(entry));
        _acknowledgements = new Acknowledgements(_connection, _keys.Name, _keys.Shards, options, _entries, _failures);
        _intake = ShardedIntake.Create(_connection, streamKey, _keys.Shards, _consumerName, options, decoders, _entries, _acknowledgements, _failures);
        _wait = new DequeueWait(_connection, _entries, _intake, _acknowledgements, new PollingSchedule(options.PollInterval));
    }

    /// <summary>The stream's key, as given (with several shards, the keys read are derived from it).</summary>
    public string StreamKey => _keys.Key.ToString();

    /// <summary>The consumer group.</summary>
    public string GroupName => _groupName.ToString();

    /// <summary>This consumer's name within the group.</summary>
    public string ConsumerName => _consumerName.ToString();

    /// <summary>What a listener's shutdown says of events it took and will not write: they stay pending.</summary>
    string IRetainingQueue.WhereUnwrittenEventsStay =>
        $"they are left pending in the redis stream {_keys.Name} for group {_groupName}; the next collector of the group claims them";

    /// <summary>Unbounded: the stream is the buffer, and this process holds one read's worth at most.</summary>
    public int Capacity => int.MaxValue;

    /// <summary>The number of events decoded and not yet dequeued. An entry read is decoded when the listener comes to
    /// it, so entries read and not yet decoded are not counted, nor is what is still in the stream.</summary>
    public int Count => _entries.Count;

    /// <summary>The number of events in poison entries, reported and never written (see the remarks).</summary>
    public long DroppedCount => _intake.DroppedCount;

    /// <summary>
    /// Add <paramref name="logEvent"/> to the stream, in an entry of its own, and wait for Redis to accept it.
    /// </summary>
    /// <returns><see langword="true"/>, once Redis has added it.</returns>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses the entry.</exception>
    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        if (logEvent is null) throw new ArgumentNullException(nameof(logEvent));
        cancellationToken.ThrowIfCancellationRequested();

        SingleEventAdd.Add(_connection, _keys.NextForEnqueue(), logEvent);
        return true;
    }

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        _entries.AddMarker(marker);
        _wait.Wake();
    }

    /// <summary>
    /// Take events and markers already read off the head of the queue, without waiting and without calling Redis
    /// (so a shutdown that reclaims what is left finds only what was read, and leaves the rest in the stream). A call
    /// that returns events records them as one batch, for <see cref="Acknowledge"/>.
    /// </summary>
    /// <inheritdoc/>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (batch is null) throw new ArgumentNullException(nameof(batch));

        return _entries.TryDequeue(batch, out marker);
    }

    /// <summary>
    /// Acknowledge (<c>XACK</c>) the oldest batch <see cref="TryDequeue"/> returned and not yet acknowledged: the
    /// entries whose last event it held; with every unreadable entry not yet acknowledged. The listener acknowledges
    /// each batch before it takes the next, so this is the batch it has just written, on whichever thread; a batch
    /// the shutdown reclaimed is never acknowledged. An entry of which some events are still here waits for the
    /// acknowledgement of the batch with its last one.
    /// </summary>
    /// <remarks>Sent without waiting for the reply (see <see cref="Acknowledgements"/>): one that fails is reported
    /// once per run of failures, and its entries go with the next acknowledgement, or the next wait for work, or the
    /// disposal. At-least-once holds either way: an entry not acknowledged is read again.</remarks>
    public void Acknowledge() => _acknowledgements.AcknowledgeBatch();

    /// <summary>
    /// Wait until something read can be dequeued: read the stream when nothing read is waiting and a read is due
    /// (at once after a read that found something, then after a wait that grows to the poll interval), until the
    /// timeout passes, or a marker arrives. While Redis cannot be reached, the read is tried again every poll
    /// interval, and the start of each such outage is reported.
    /// </summary>
    /// <inheritdoc/>
    /// <exception cref="RedisServerException">When Redis refuses the read (the key holds something other than a
    /// stream, say); the listener retries with a backoff, and stops after a run of them.</exception>
    public bool WaitToDequeue(TimeSpan timeout) => _wait.Wait(timeout);

    /// <summary>
    /// Set the failure listener, to which unreadable entries, outages and failed acknowledgements are reported.
    /// </summary>
    /// <param name="failureListener">The listener to report failures to.</param>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failures.Listener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

    /// <summary>
    /// Wait (up to 5 s) for the acknowledgements sent; then, when connected, send once more those that failed (within
    /// the same 5 s) and trim what was acknowledged since the last trim; and close the connection when the queue
    /// opened it. Entries read and not yet acknowledged are not put back: they stay in the group's pending list, for
    /// this consumer's next start or another consumer's claim, and are reported (as temporary) as left pending.
    /// Dispose the listener first. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        _acknowledgements.Finish(DisposalAcknowledgementWait);
        _connection.Dispose();
    }

    /// <summary>Check the stream key before connecting: a constructor that throws once connected leaves a connection
    /// no one can close, reconnecting until the process ends. The options were checked when they were made.</summary>
    static RedisConnection Connect(string configuration, string streamKey, RedisStreamQueueOptions options)
    {
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        if (options is null) throw new ArgumentNullException(nameof(options));
        StreamKeys.Check(streamKey, options);
        return new RedisConnection(RedisNames.Options(configuration));
    }
}
