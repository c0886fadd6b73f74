using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The producer side of the Redis transport: writes events to a Redis stream, a batch of CLEF lines per entry (see
/// FORMAT.md). Meant to sit behind the in-process queue (<c>WriteTo.Queue(a =&gt; a.RedisStream(...))</c>), whose
/// listener thread is then the only caller of <see cref="Emit"/>.
/// </summary>
/// <remarks>
/// <para>Group commit: at most one <c>XADD</c> is in flight. An event that finds none is sent at once, alone; events
/// that arrive while one is in flight wait in the next batch, which the completion of the one in flight sends. So an
/// idle producer adds no latency and a busy one makes entries as large as its rate needs, up to
/// its batch size limit in events or <see cref="HeldBatches.EntryByteLimit"/> bytes, at which <see cref="Emit"/> waits for
/// the one in flight (back pressure into the queue in front).</para>
/// <para>An <c>XADD</c> that fails stays first in line and is sent again after a backoff (see
/// <see cref="AddFailure.RetryDelay"/>) until it succeeds; its first failure
/// is reported as <see cref="LoggingFailureKind.Temporary"/>. The events behind it wait in the next batch, and once
/// that is full <see cref="Emit"/> waits: the queue in front fills, and in its <c>Block</c> mode nothing is lost
/// while Redis is away. An <c>XADD</c> whose reply was lost with the connection may have been added, so a retry can
/// add a batch twice. A refusal that lasts (the key holds something other than a stream, or the user may not add to
/// it) is not retried: the batch is reported with its events as <see cref="LoggingFailureKind.Permanent"/>.</para>
/// <para>With replicas asked for (<c>waitForReplicas</c>), a batch counts as sent only once that many replicas have
/// acknowledged its entry (see <see cref="ReplicaWait"/>); fewer is a failed attempt, retried as above, and the entry
/// is not added twice while the stream holds it.</para>
/// <para>Bounded: an entry is added only while the stream holds fewer than its length limit of entries (see
/// <see cref="CappedStreamAdd"/>). A full stream is treated like a failed <c>XADD</c>, with a shorter backoff and a <see cref="LoggingFailureKind.Temporary"/>
/// report at the start of each wait: the batch stays first in line, and the queue in front applies its
/// <c>fullMode</c> once it fills.</para>
/// <para>While Redis is away, the listener in front waits in <see cref="Emit"/>, so the logger's disposal waits as
/// long as the queue's <c>shutdownTimeout</c> lets it; set one to bound it.</para>
/// <para>Shutdown (see <see cref="IHoldingSink"/>): when the queue's shutdown gives up on the listener thread (Redis
/// away, the stream full), it takes back what this sink holds with <see cref="ReleaseHeld"/> and reports those events
/// as not written, within the <c>shutdownTimeout</c> and the core's 100 ms grace; an <c>Emit</c> waiting then returns
/// at once. The batch whose <c>XADD</c> was already sent and not answered may still land: this sink reports it once,
/// as possibly written. The queue's process-exit drain is the one exit path, so nothing here handles process
/// exit.</para>
/// <para>Its parts: what it holds, with the lock over it (<see cref="HeldBatches"/>), the sending and retrying
/// (<see cref="StreamBatchSender"/>), what a failure means (<see cref="AddFailure"/>) and the reports
/// (<see cref="ProducerReports"/>); this class takes events in, and gives up what it holds at shutdown.</para>
/// <para>Disposal waits for what was emitted before it for at most <see cref="DisposalRetryLimit"/> (the bound when
/// the <c>shutdownTimeout</c> is unlimited); what is still held then is reported as
/// <see cref="LoggingFailureKind.Final"/>. After disposal: everything emitted before it has been sent or reported; a
/// later <see cref="Emit"/> is reported as <see cref="LoggingFailureKind.Final"/>; an owned connection is closed,
/// without waiting for a first attempt still under way.</para>
/// </remarks>
sealed class RedisStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener, IHoldingSink
{
    internal static readonly TimeSpan DisposalRetryLimit = TimeSpan.FromSeconds(10);

    readonly RedisConnection _connection;
    readonly StreamBatchSender _sender;
    readonly ProducerReports _reports;

    /// <summary>The next batch, the one in flight, the event an <see cref="Emit"/> waits with; and the lock over
    /// them, which guards <see cref="_disposed"/> too.</summary>
    readonly HeldBatches _held;

    /// <summary>Set by <see cref="Dispose"/>: later events are reported, not sent. Under the held batches'
    /// lock.</summary>
    bool _disposed;

    /// <param name="connection">Where the stream is; closed at disposal when it is the sink's own.</param>
    /// <param name="options">The stream, the entry size, the bound and the replicas to wait for.</param>
    public RedisStreamSink(RedisConnection connection, RedisStreamSinkOptions options)
    {
        _connection = connection;
        _held = new HeldBatches(options.BatchSizeLimit);
        _reports = new ProducerReports(this, connection, options);
        _sender = new StreamBatchSender(_held, connection, options, _reports);
    }

    public void Emit(LogEvent logEvent) => Take(logEvent, waitForRoom: true);

    /// <summary>As <see cref="Emit"/>, unless the event would have to wait for room: then nothing is done.</summary>
    /// <returns>Whether the event was taken (sent, held, or reported).</returns>
    internal bool TryEmit(LogEvent logEvent) => Take(logEvent, waitForRoom: false);

    /// <summary>Whether nothing is in flight, so that an event emitted now is sent at once. A snapshot without the
    /// lock, for <see cref="ShardedStreamSink"/> to prefer an idle shard: a stale answer only sends the event to a
    /// busier one, in whose next batch it waits.</summary>
    internal bool IsIdle => !_held.InFlight;

    bool Take(LogEvent logEvent, bool waitForRoom)
    {
        if (logEvent is null) return true;

        Exception? formatFailure;
        lock (_held.Lock)
        {
            if (!_disposed && !_held.GivenUp && _held.InFlight && _held.IsNextFull)
            {
                if (!waitForRoom) return false;

                _held.Waiting = logEvent;
                bool handedBack;
                try
                {
                    while (!_disposed && !_held.GivenUp && _held.InFlight && _held.IsNextFull)
                    {
                        Monitor.Wait(_held.Lock);
                    }
                }
                finally
                {
                    // Taken by a shutdown that gave up: handed back with what this sink held, and reported by it.
                    handedBack = _held.Waiting is null;
                    _held.Waiting = null;
                }

                if (handedBack) return true;
            }

            if (_disposed || _held.GivenUp)
            {
                formatFailure = null;
            }
            else
            {
                try
                {
                    _held.Add(logEvent);
                    if (!_held.InFlight) _sender.SendNextLocked();
                    return true;
                }
                catch (Exception ex)
                {
                    formatFailure = ex;
                }
            }
        }

        if (formatFailure is null)
        {
            _reports.Closed(logEvent);
        }
        else
        {
            _reports.FormatFailed(logEvent, formatFailure);
        }

        return true;
    }

    /// <summary>
    /// Wait until every event emitted so far has been added to the stream (or reported). The core listener's flush
    /// calls it by name, so <c>QueueHandle.Flush</c> reaches Redis.
    /// </summary>
    public void FlushToDisk()
    {
        lock (_held.Lock)
        {
            // Events pending while nothing is in flight cannot be: Emit sends them at once.
            while (_held.InFlight)
            {
                Monitor.Wait(_held.Lock);
            }
        }
    }

    /// <summary>
    /// Wait until nothing is in flight: every event emitted so far has been added to the stream, or reported. A
    /// listener over a spool calls it before it moves the spool's checkpoint past a batch, so that an event this sink
    /// holds in memory is still in the spool should the process die.
    /// </summary>
    /// <returns><see langword="false"/> when a shutdown that gave up took back what this sink held.</returns>
    public bool WaitUntilWritten()
    {
        lock (_held.Lock)
        {
            // Events pending while nothing is in flight cannot be: Emit sends them at once. A give-up wakes this.
            while (_held.InFlight && !_held.GivenUp)
            {
                Monitor.Wait(_held.Lock);
            }

            return !_held.GivenUp;
        }
    }

    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _reports.Listener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<LogEvent> ReleaseHeld()
    {
        HeldEvents held;
        lock (_held.Lock)
        {
            held = _held.GiveUp();
        }

        _reports.PossiblyWritten(held);
        return held.NotWritten;
    }

    public void Dispose()
    {
        var giveUpAt = DateTime.UtcNow + DisposalRetryLimit;
        if (!StopTaking(giveUpAt)) return;

        SendOrReportHeld(giveUpAt);
        _connection.Dispose();
    }

    /// <summary>The first half of disposal: later events are reported, and what is held is retried until
    /// <paramref name="giveUpAt"/> at most. Split from the second so that the shards of a stream all stop at once
    /// and share one deadline.</summary>
    /// <returns>Whether this call stopped it; <see langword="false"/> if it had been.</returns>
    internal bool StopTaking(DateTime giveUpAt)
    {
        lock (_held.Lock)
        {
            if (_disposed) return false;
            _disposed = true;
            _held.GiveUpAt = giveUpAt;
            return true;
        }
    }

    /// <summary>The second half of disposal, after <see cref="StopTaking"/>: wait for what is in flight until
    /// <paramref name="giveUpAt"/>, then report what is still held. The connection is left open.</summary>
    internal void SendOrReportHeld(DateTime giveUpAt)
    {
        HeldEvents? held = null;
        lock (_held.Lock)
        {
            while (_held.InFlight)
            {
                var left = giveUpAt - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_held.Lock, left)) break;
            }

            if (_held.InFlight) held = _held.GiveUp();
        }

        if (held is not null) _reports.GivenUp(held, "while the sink was being disposed");
        _held.Dispose();
    }
}
