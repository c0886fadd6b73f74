using System.Diagnostics;
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
/// good ones is reported and skipped. An entry delivered more than the delivery limit times without being
/// acknowledged (one whose writing keeps killing its consumer) is reported with its events, counted in
/// <see cref="DroppedCount"/>, and acknowledged, so that it cannot stop the group.</para>
/// <para>Bounded: at most every trim interval, and whenever the listener waits for work, the queue deletes from the
/// stream what every consumer group has acknowledged (<c>XTRIM MINID</c>), never an entry some group has not read
/// or written; so the stream holds the backlog, which producers cap with their <c>maxStreamLength</c>. A pending entry
/// deleted from the stream (by something else) before it was written is reported with its id.</para>
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

    /// <summary>The property each event gets when its entry names its producer: the producer's id, a string unique
    /// to one sink in one process.</summary>
    public const string ProducerPropertyName = "RedisStreamProducer";

    /// <summary>The property each event gets when its entry names its producer: the entry's number among that
    /// producer's, from 1. With <see cref="ProducerPropertyName"/> and <see cref="EntryIndexPropertyName"/>, it
    /// identifies the event even when the producer added its entry twice (a retry after a lost reply).</summary>
    public const string SequencePropertyName = "RedisStreamSequence";

    /// <summary>The delivery limit used when none is given.</summary>
    public const int DefaultMaxDeliveryCount = 10;

    static readonly TimeSpan DefaultClaimIdleTime = TimeSpan.FromSeconds(30);
    static readonly TimeSpan DefaultTrimInterval = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan FirstPollWait = TimeSpan.FromMilliseconds(1);
    static readonly TimeSpan BusyPollWait = TimeSpan.FromMilliseconds(2);
    static readonly long BusyWindowTicks = Stopwatch.Frequency / 10;
    static readonly double TicksPerStopwatchTick = (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency;
    static readonly TimeSpan DisposalAcknowledgementWait = TimeSpan.FromSeconds(5);

    /// <summary>Being made in the background when the queue opened it, so that the constructor never waits for
    /// Redis; closed at disposal when it is the queue's own.</summary>
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    readonly RedisValue _consumerName;
    readonly TimeSpan _pollInterval;

    /// <summary>How long the next empty read is followed by a wait: from <see cref="FirstPollWait"/>, doubling after
    /// each empty read up to <see cref="_pollInterval"/>, back to the first after a read that found something; but
    /// held at <see cref="BusyPollWait"/> for 100 ms (<see cref="BusyWindowTicks"/>) after a read that found
    /// something. So a stream that is busy is read again within 2 ms of running dry, however its producers' entries
    /// bunch (a doubling wait after a gap of 10 ms could sleep 16 ms more), and an idle one every poll interval. On
    /// the listener's thread.</summary>
    TimeSpan _pollWait = FirstPollWait;

    /// <summary>When a read last found something, in <see cref="Stopwatch"/> ticks. On the listener's thread.</summary>
    long _lastFoundAt;

    /// <summary>When the stream is to be read next, in <see cref="Stopwatch"/> ticks: at once after a read that found
    /// something. On the listener's thread.</summary>
    long _nextReadAt;

    /// <summary>The last acknowledgement sent. They go out in order on one connection, so waiting for the last one
    /// waits for them all. Written on the listener's thread; waited for at disposal.</summary>
    Task _lastAcknowledgement = Task.CompletedTask;

    /// <summary>1 while acknowledgements fail, so that a run of failures is reported once.</summary>
    int _acknowledgementsFailing;

    /// <summary>What has been read and not yet acknowledged.</summary>
    readonly ReadEntries _entries;

    /// <summary>Events reported and never written: in poison entries.</summary>
    long _droppedCount;

    /// <summary>Serialises reads from Redis, so that entries are added to <see cref="_entries"/> in the order they
    /// were read.</summary>
    readonly object _readLock = new();

    /// <summary>Under <see cref="_readLock"/>.</summary>
    readonly ConsumerGroupReader _reader;

    /// <summary>Used on the listener's thread, and at disposal.</summary>
    readonly AcknowledgedTrim _trim;

    /// <summary>Decodes entries as the listener comes to them, and reports what cannot be written.</summary>
    readonly EntryDecoder _decoder;

    /// <summary>Whether the last read found Redis out of reach, so that an outage is reported once; on the
    /// listener's thread.</summary>
    bool _unreachable;

    /// <summary>Set by <see cref="EnqueueMarker"/> to cut short a wait between polls; reset by the waiting listener
    /// before it looks, so a marker added after the look still ends the wait.</summary>
    readonly ManualResetEventSlim _wake = new(false);

    /// <summary>Set during configuration, before the listener starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>1 once <see cref="Dispose"/> has begun, so that a second call does nothing; a failed acknowledgement
    /// it would send again, and trim after, would then go to a closed connection.</summary>
    int _disposed;

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
    /// <param name="pollInterval">The longest a waiting listener sleeps between reads that found nothing (it starts
    /// at 1 ms after a read that found something, and doubles up to this, but stays at 2 ms at most for 100 ms after
    /// such a read); from 1 ms to 10 s, by default 50 ms.</param>
    /// <param name="claimIdleTime">How long an entry must have been pending with another consumer of the group,
    /// unacknowledged, before this one claims it, and how often it looks for such entries; from 1 ms to 1 day, by
    /// default 30 s. Longer than the longest the sinks take over one batch, or a slow consumer's entries are written
    /// twice.</param>
    /// <param name="maxDeliveryCount">How many times an entry may be delivered without being acknowledged before
    /// it is reported as poison and acknowledged unwritten; from 1 to 1,000, by default 10. Each restart of a consumer
    /// that held it, and each claim by another, is a delivery.</param>
    /// <param name="trimInterval">How often at most the queue trims the acknowledged entries from the stream; from
    /// 10 ms to 1 hour, by default 100 ms; <see cref="Timeout.InfiniteTimeSpan"/> never trims (the stream then grows
    /// until producers reach their <c>maxStreamLength</c>, unless something else trims it).</param>
    /// <exception cref="ArgumentNullException">When <paramref name="configuration"/> or
    /// <paramref name="streamKey"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="readCount"/>,
    /// <paramref name="pollInterval"/>, <paramref name="claimIdleTime"/>, <paramref name="maxDeliveryCount"/> or
    /// <paramref name="trimInterval"/> is out of range.</exception>
    public RedisStreamQueue(string configuration, string streamKey, string groupName = DefaultGroupName,
        string? consumerName = null, int readCount = 100, TimeSpan? pollInterval = null, TimeSpan? claimIdleTime = null,
        int maxDeliveryCount = DefaultMaxDeliveryCount, TimeSpan? trimInterval = null)
        : this(Connect(configuration, streamKey, groupName, consumerName, readCount, pollInterval, claimIdleTime, maxDeliveryCount,
            trimInterval), streamKey, groupName, consumerName, readCount, pollInterval, claimIdleTime,
            maxDeliveryCount, trimInterval)
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
        : this(Borrow(connection), streamKey, groupName,
            consumerName ?? throw new ArgumentNullException(nameof(consumerName)), 100, null, null, DefaultMaxDeliveryCount, null)
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
        : this(Borrow(connection), streamKey, groupName,
            consumerName ?? throw new ArgumentNullException(nameof(consumerName)), 100, null, claimIdleTime, DefaultMaxDeliveryCount, null)
    {
    }

    RedisStreamQueue(RedisConnection connection, string streamKey, string groupName,
        string? consumerName, int readCount, TimeSpan? pollInterval, TimeSpan? claimIdleTime, int maxDeliveryCount,
        TimeSpan? trimInterval)
    {
        _connection = connection;
        CheckArguments(streamKey, groupName, consumerName, readCount, pollInterval, claimIdleTime, maxDeliveryCount, trimInterval);
        _streamKey = streamKey;
        _groupName = groupName;
        _consumerName = consumerName ?? Environment.MachineName + ":" + RedisNames.ProcessId.ToString(CultureInfo.InvariantCulture);
        var claimAfter = claimIdleTime ?? DefaultClaimIdleTime;
        var trimEvery = trimInterval ?? DefaultTrimInterval;
        _pollInterval = pollInterval ?? DefaultPollInterval;
        _decoder = new EntryDecoder(_streamKey, (kind, message, events, ex) => Report(kind, message, events, ex));
        _entries = new ReadEntries(_decoder.Events);
        _trim = new AcknowledgedTrim(_connection, _streamKey, trimEvery, (kind, message, ex) => Report(kind, message, null, ex));
        _reader = new ConsumerGroupReader(_connection, _streamKey, _groupName, _consumerName, readCount, claimAfter, maxDeliveryCount);
    }

    /// <summary>The stream's key.</summary>
    public string StreamKey => _streamKey.ToString();

    /// <summary>The consumer group.</summary>
    public string GroupName => _groupName.ToString();

    /// <summary>This consumer's name within the group.</summary>
    public string ConsumerName => _consumerName.ToString();

    /// <summary>Unbounded: the stream is the buffer, and this process holds one read's worth at most.</summary>
    public int Capacity => int.MaxValue;

    /// <summary>The number of events decoded and not yet dequeued. An entry read is decoded when the listener comes to
    /// it, so entries read and not yet decoded are not counted, nor is what is still in the stream.</summary>
    public int Count => _entries.Count;

    /// <summary>The number of events in poison entries, reported and never written (see the remarks).</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

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
        _connection.Database.StreamAdd(_streamKey, RedisStreamFormat.EventsField, writer.TakePayload());
        return true;
    }

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        _entries.AddMarker(marker);
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

        return _entries.TryDequeue(batch, out marker);
    }

    /// <summary>
    /// Acknowledge (<c>XACK</c>) every entry whose last event <see cref="TryDequeue"/> has handed out on this thread
    /// (the listener's), and every unreadable entry not yet acknowledged. An entry of which some events are still
    /// here waits for the acknowledgement after its last one.
    /// </summary>
    /// <remarks>The acknowledgement is sent without waiting for its reply, so that the listener's next batch does not
    /// wait a round trip; one that fails is reported (once per run of failures), and its entries go with the next
    /// acknowledgement, or the next wait for work, or the disposal. At-least-once holds either way: an entry not
    /// acknowledged is read again.</remarks>
    public void Acknowledge()
    {
        if (AcknowledgeHandedOut(Environment.CurrentManagedThreadId)) _trim.Acknowledged();
    }

    /// <summary>
    /// Wait until something read can be dequeued: read the stream when nothing read is waiting and a read is due
    /// (at once after a read that found something, then after a wait that grows to the poll interval), until the
    /// timeout passes, or a marker arrives. While Redis cannot be reached, the read is tried again every poll
    /// interval, and the start of each such outage is reported.
    /// </summary>
    /// <inheritdoc/>
    /// <exception cref="RedisServerException">When Redis refuses the read (the key holds something other than a
    /// stream, say); the listener retries with a backoff, and stops after a run of them.</exception>
    public bool WaitToDequeue(TimeSpan timeout)
    {
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var deadline = infinite ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            _wake.Reset();

            // Entries found unreadable when the listener came to them wait for no batch: acknowledged here; so are
            // written ones whose acknowledgement failed, again, while the stream is idle. Not while Redis is out of
            // reach: the acknowledgement would fail again, and the trim after it would wait out its timeout.
            if (_entries.HasUnwritable && !_unreachable) AcknowledgeUnwritable();
            if (_entries.HasItems) return true;
            if (!_connection.Connecting.IsCompleted)
            {
                // The first attempt to connect is still under way (see RedisConnection); a marker ends the wait, as
                // between polls.
                var waitLeft = infinite ? _pollInterval : deadline - DateTime.UtcNow;
                if (waitLeft <= TimeSpan.Zero) return false;
                WaitHandle.WaitAny([((IAsyncResult)_connection.Connecting).AsyncWaitHandle, _wake.WaitHandle],
                    waitLeft < _pollInterval ? waitLeft : _pollInterval);
                if (_entries.HasItems) return true;
                continue;
            }

            if (Stopwatch.GetTimestamp() >= _nextReadAt)
            {
                if (ReadUnlessUnreachable())
                {
                    _pollWait = FirstPollWait;
                    _lastFoundAt = Stopwatch.GetTimestamp();
                    return true;
                }

                // Idle: trim what was acknowledged since the last trim, so that producers waiting for room in a full
                // stream do not wait for the next batch, which only they can send.
                _trim.TrimIfDue();
                ScheduleNextRead();
            }

            var untilRead = TimeSpan.FromTicks((long)((_nextReadAt - Stopwatch.GetTimestamp()) * TicksPerStopwatchTick));
            if (untilRead <= TimeSpan.Zero) continue;

            var left = infinite ? untilRead : deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;

            // Whole milliseconds, rounded up: a wait converts a timeout to them rounding down, and a remainder under
            // a millisecond would return at once, again and again, until the read is due.
            _wake.Wait((int)Math.Ceiling((left < untilRead ? left : untilRead).TotalMilliseconds));
        }
    }

    /// <summary>After a read that found nothing: when to read again (see <see cref="_pollWait"/>).</summary>
    /// <remarks>A time rather than a wait, because the listener calls <see cref="WaitToDequeue"/> with a timeout of
    /// its own (100 ms, to look at its state), and each call would otherwise read at once: a poll interval longer than
    /// that would never be waited out.</remarks>
    void ScheduleNextRead()
    {
        // While busy the wait does not grow either, so that once the stream goes quiet the doubling starts again
        // from the busy wait: a wait grown to a long poll interval meanwhile would add most of it to the next
        // event's delivery.
        var now = Stopwatch.GetTimestamp();
        var busy = now - _lastFoundAt < BusyWindowTicks;
        var wait = busy && _pollWait > BusyPollWait ? BusyPollWait : _pollWait;
        _pollWait = busy ? BusyPollWait : wait + wait < _pollInterval ? wait + wait : _pollInterval;
        _nextReadAt = now + (long)(wait.Ticks / TicksPerStopwatchTick);
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
    /// Wait (up to 5 s) for the acknowledgements sent; then, when connected, send once more those that failed (within
    /// the same 5 s) and trim what was acknowledged since the last trim; and close the connection when the queue
    /// opened it. Entries read and not yet acknowledged
    /// are not put back: they stay in the group's pending list, for this consumer's next start or another consumer's
    /// claim. Dispose the listener first. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        var deadline = DateTime.UtcNow + DisposalAcknowledgementWait;
        WaitForAcknowledgements(deadline);

        // Written entries whose acknowledgement failed (Redis was away) would be written again by the next reader.
        // With no connection, sending them again, or trimming, would only wait out a timeout each: what disposal
        // may wait is the 5 s above.
        if (_connection.IsConnected)
        {
            if (_entries.HasUnwritable && AcknowledgeHandedOut(ReadEntries.AnyThread)) WaitForAcknowledgements(deadline);
            _trim.TrimIfDue();
        }

        _connection.Dispose();
    }

    void WaitForAcknowledgements(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        try
        {
            _lastAcknowledgement.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (AggregateException)
        {
            // The continuation reports; it does not fail.
        }
    }

    /// <summary>
    /// <see cref="Read"/>, taking Redis being out of reach as nothing read: for a collector, Redis restarting or the
    /// network failing is a wait, not a fault of the queue, and the listener would stop after a short run of
    /// faults. So is a server that is there but cannot answer yet (<see cref="IsNotReady"/>).
    /// </summary>
    bool ReadUnlessUnreachable()
    {
        try
        {
            var read = Read();
            _unreachable = false;
            return read;
        }
        catch (Exception ex) when (ex is RedisConnectionException or TimeoutException ||
                                   (ex is RedisServerException refused && IsNotReady(refused)))
        {
            // The failed command may have reached Redis all the same, or an earlier one of the read did (the
            // XREADGROUP before a refused XPENDING), and delivered entries whose reply is lost.
            lock (_readLock) _reader.RecoverLostReplies();
            if (!_unreachable)
            {
                var cause = RedisFailureCause.Describe(ex, _connection.EndPoints) ?? "Redis cannot be reached, or is not ready";
                Report(LoggingFailureKind.Temporary,
                    $"failed reading the redis stream {_streamKey}: {cause}; the queue tries again every poll interval until it can",
                    null, ex);
            }

            _unreachable = true;
            return false;
        }
    }

    /// <summary>Whether Redis refused a command for a while only, as after a restart: loading its data
    /// (<c>LOADING</c>, seconds to minutes for a large data set), busy with a long script (<c>BUSY</c>), or a replica
    /// that lost its primary (<c>MASTERDOWN</c>). Other refusals (a key that is not a stream, a user who may not read
    /// it) stop the listener after its run of faults.</summary>
    static bool IsNotReady(RedisServerException exception) =>
        exception.Message.StartsWith("LOADING", StringComparison.Ordinal) ||
        exception.Message.StartsWith("BUSY ", StringComparison.Ordinal) ||
        exception.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal);

    /// <summary>Read entries for this consumer (see <see cref="ConsumerGroupReader"/>) and add them to
    /// <see cref="_entries"/>, until some entry is added or there is nothing more to read.</summary>
    /// <returns>Whether any entry was added.</returns>
    bool Read()
    {
        lock (_readLock)
        {
            var added = 0;
            var toAcknowledge = false;
            while (added == 0)
            {
                var read = _reader.Read(_entries.IsHeld);
                if (read.IsEmpty) break;

                foreach (var id in read.Deleted)
                {
                    _decoder.ReportDeleted(id);
                }

                foreach (var (entry, deliveries) in read.Poison)
                {
                    Interlocked.Add(ref _droppedCount, _decoder.ReportPoison(entry, deliveries));
                    _entries.AddUnwritable(entry.Id);
                    toAcknowledge = true;
                }

                foreach (var entry in read.Entries)
                {
                    _entries.AddEntry(entry);
                    added++;
                }
            }

            if (toAcknowledge) AcknowledgeUnwritable();
            return added > 0;
        }
    }

    /// <summary>Acknowledge entries with nothing to write at once (unreadable, poison or deleted, or written with
    /// an acknowledgement that failed), so that a stream of nothing else does not wait for a batch that never comes;
    /// a failure is reported, and they go with the next acknowledgement.</summary>
    void AcknowledgeUnwritable()
    {
        if (AcknowledgeHandedOut(ReadEntries.AnyThread)) _trim.Acknowledged();
    }

    /// <summary>Acknowledge the handed-out entries of <paramref name="thread"/> and those of any thread.</summary>
    /// <returns>Whether there were any.</returns>
    bool AcknowledgeHandedOut(int thread)
    {
        var taken = _entries.TakeHandedOut(thread);
        if (taken.Count == 0) return false;

        Task<long> sent;
        try
        {
            sent = _reader.AcknowledgeAsync([.. taken.Select(h => h.Id)]);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<long>(ex);
        }

        _lastAcknowledgement = sent.ContinueWith(
            static (task, state) => ((AcknowledgementSent)state!).Queue.OnAcknowledged(task, ((AcknowledgementSent)state!).Taken),
            new AcknowledgementSent(this, taken), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return true;
    }

    void OnAcknowledged(Task<long> sent, List<(RedisValue Id, int Thread)> taken)
    {
        if (sent.Exception is { } failure)
        {
            _entries.Restore(taken);
            if (Interlocked.Exchange(ref _acknowledgementsFailing, 1) == 0)
            {
                Report(LoggingFailureKind.Temporary,
                    $"failed to acknowledge {taken.Count} entries of the redis stream {_streamKey}; they go with the next acknowledgement, and are read again if none succeeds",
                    null, failure.InnerExceptions.Count == 1 ? failure.InnerException : failure);
            }

            return;
        }

        _entries.Release(taken);
        Volatile.Write(ref _acknowledgementsFailing, 0);
    }

    void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
        _failureListener.Report(this, kind, message, events, exception);

    /// <summary>Check the other arguments before connecting: a constructor that throws once connected leaves a
    /// connection no one can close, reconnecting until the process ends.</summary>
    static RedisConnection Connect(string configuration, string streamKey, string groupName, string? consumerName,
        int readCount, TimeSpan? pollInterval, TimeSpan? claimIdleTime, int maxDeliveryCount, TimeSpan? trimInterval)
    {
        if (configuration is null) throw new ArgumentNullException(nameof(configuration));
        CheckArguments(streamKey, groupName, consumerName, readCount, pollInterval, claimIdleTime, maxDeliveryCount, trimInterval);
        return new RedisConnection(RedisNames.Options(configuration));
    }

    static RedisConnection Borrow(IConnectionMultiplexer connection) =>
        new(connection ?? throw new ArgumentNullException(nameof(connection)));

    /// <exception cref="ArgumentNullException">When <paramref name="streamKey"/> or <paramref name="groupName"/> is
    /// <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When a name is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When a number or a time is out of range.</exception>
    static void CheckArguments(string streamKey, string groupName, string? consumerName, int readCount, TimeSpan? pollInterval,
        TimeSpan? claimIdleTime, int maxDeliveryCount, TimeSpan? trimInterval)
    {
        RedisNames.Require(streamKey, nameof(streamKey));
        RedisNames.Require(groupName, nameof(groupName));
        if (consumerName is not null) RedisNames.Require(consumerName, nameof(consumerName));
        if (readCount is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(readCount), readCount, "The read count must be from 1 to 10,000 entries.");
        }

        var interval = pollInterval ?? DefaultPollInterval;
        if (interval < TimeSpan.FromMilliseconds(1) || interval > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "The poll interval must be from 1 ms to 10 s.");
        }

        var claimAfter = claimIdleTime ?? DefaultClaimIdleTime;
        if (claimAfter < TimeSpan.FromMilliseconds(1) || claimAfter > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(claimIdleTime), claimAfter, "The claim idle time must be from 1 ms to 1 day.");
        }

        if (maxDeliveryCount is < 1 or > 1_000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDeliveryCount), maxDeliveryCount, "The delivery limit must be from 1 to 1,000.");
        }

        var trimEvery = trimInterval ?? DefaultTrimInterval;
        if (trimEvery != Timeout.InfiniteTimeSpan && (trimEvery < TimeSpan.FromMilliseconds(10) || trimEvery > TimeSpan.FromHours(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(trimInterval), trimEvery, "The trim interval must be from 10 ms to 1 hour, or infinite.");
        }
    }

    /// <summary>An acknowledgement's state for its continuation, without a closure.</summary>
    sealed record AcknowledgementSent(RedisStreamQueue Queue, List<(RedisValue Id, int Thread)> Taken);
}
