using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using StackExchange.Redis;

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
/// <see cref="_batchSizeLimit"/> events or <see cref="EntryByteLimit"/> bytes, at which <see cref="Emit"/> waits for
/// the one in flight (back pressure into the queue in front).</para>
/// <para>An <c>XADD</c> that fails stays first in line and is sent again after a backoff (from
/// <see cref="FirstRetryDelay"/>, doubling, to <see cref="LongestRetryDelay"/>) until it succeeds; its first failure
/// is reported as <see cref="LoggingFailureKind.Temporary"/>. The events behind it wait in the next batch, and once
/// that is full <see cref="Emit"/> waits: the queue in front fills, and in its <c>Block</c> mode nothing is lost
/// while Redis is away. An <c>XADD</c> whose reply was lost with the connection may have been added, so a retry can
/// add a batch twice. A refusal that lasts (the key holds something other than a stream, or the user may not add to
/// it) is not retried: the batch is reported with its events as <see cref="LoggingFailureKind.Permanent"/>.</para>
/// <para>Bounded: an entry is added only while the stream holds fewer than <see cref="_maxStreamLength"/> entries
/// (see <see cref="CappedStreamAdd"/>). A full stream is treated like a failed <c>XADD</c>, with a shorter backoff
/// (from <see cref="FirstFullDelay"/> to <see cref="LongestFullDelay"/>) and a <see cref="LoggingFailureKind.Temporary"/>
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
/// <para>Disposal waits for what was emitted before it for at most <see cref="DisposalRetryLimit"/> (the bound when
/// the <c>shutdownTimeout</c> is unlimited); what is still held then is reported as
/// <see cref="LoggingFailureKind.Final"/>. After disposal: everything emitted before it has been sent or reported; a
/// later <see cref="Emit"/> is reported as <see cref="LoggingFailureKind.Final"/>; an owned connection is closed,
/// without waiting for a first attempt still under way.</para>
/// </remarks>
sealed class RedisStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener, IHoldingSink
{
    static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);
    static readonly TimeSpan DisposalRetryLimit = TimeSpan.FromSeconds(10);
    static readonly TimeSpan FirstFullDelay = TimeSpan.FromMilliseconds(5);
    static readonly TimeSpan LongestFullDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A batch takes no more events once its lines reach this many bytes, so that an entry stays below the runtime's
    /// large object threshold (85,000 bytes) on both sides unless its last event is large: the producer's payload and
    /// the collector's copy of it as read are then short-lived gen0 objects, where entries of a few hundred
    /// kilobytes each went to the large object heap and made most collections gen2 collections.
    /// </summary>
    internal const int EntryByteLimit = 64 * 1024;

    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly int _batchSizeLimit;
    readonly int _maxStreamLength;

    /// <summary>Names this sink in the entries it adds, so that a reader can tell an entry added twice (a retry
    /// after a lost reply) by the pair of it and the entry's number.</summary>
    readonly RedisValue _producerId = Environment.MachineName + ":" +
        RedisNames.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <summary>The number of the last entry made. Under <see cref="_lock"/>.</summary>
    long _sequence;

    /// <summary>Guards every field below; never held while calling out (the failure listener, Redis's completion
    /// of a send is awaited outside it).</summary>
    readonly object _lock = new();

    /// <summary>The next batch: formatted, not yet sent. Under <see cref="_lock"/>.</summary>
    readonly ClefWriter _pending = new();

    /// <summary>The events of <see cref="_pending"/>, to report if their send fails. Under <see cref="_lock"/>.</summary>
    List<LogEvent> _pendingEvents = [];

    /// <summary>Whether an <c>XADD</c> is in flight or waiting to be retried; its success (or giving it up) clears
    /// it and pulses <see cref="_lock"/>. Under <see cref="_lock"/>.</summary>
    bool _inFlight;

    /// <summary>How many times in a row the batch in flight has failed. Under <see cref="_lock"/>.</summary>
    int _failures;

    /// <summary>Set by <see cref="Dispose"/>: after this moment what is held is reported, not retried. Under
    /// <see cref="_lock"/>.</summary>
    DateTime? _giveUpAt;

    /// <summary>The batch in flight, or waiting to be retried. Under <see cref="_lock"/>.</summary>
    StreamBatch? _sending;

    /// <summary>The event an <see cref="Emit"/> waits to add to a full <see cref="_pending"/>; taken by
    /// <see cref="GiveUpLocked"/>, which tells that <see cref="Emit"/> its event is accounted for. Under
    /// <see cref="_lock"/>.</summary>
    LogEvent? _waiting;

    /// <summary>Set by <see cref="Dispose"/>: later events are reported, not sent. Under <see cref="_lock"/>.</summary>
    bool _disposed;

    /// <summary>Set once what this sink held has been handed back or reported (<see cref="GiveUpLocked"/>): nothing
    /// more is sent, retried or reported for those events. Under <see cref="_lock"/>.</summary>
    bool _givenUp;

    /// <summary>Set during configuration, before logging starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <param name="connection">Where the stream is; closed at disposal when it is the sink's own.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="batchSizeLimit">The most events in one entry.</param>
    /// <param name="maxStreamLength">The most entries the stream may hold before this producer waits.</param>
    public RedisStreamSink(RedisConnection connection, string streamKey, int batchSizeLimit, int maxStreamLength)
    {
        _connection = connection;
        _streamKey = streamKey;
        _batchSizeLimit = batchSizeLimit;
        _maxStreamLength = maxStreamLength;
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent is null) return;

        Exception? formatFailure;
        bool handedBack;
        lock (_lock)
        {
            if (!_disposed && !_givenUp && _inFlight && PendingFullLocked)
            {
                _waiting = logEvent;
                try
                {
                    while (!_disposed && !_givenUp && _inFlight && PendingFullLocked)
                    {
                        Monitor.Wait(_lock);
                    }
                }
                finally
                {
                    // Taken by a shutdown that gave up: handed back with what this sink held, and reported by it.
                    handedBack = _waiting is null;
                    _waiting = null;
                }

                if (handedBack) return;
            }

            if (_disposed || _givenUp)
            {
                formatFailure = null;
            }
            else
            {
                try
                {
                    _pending.Write(logEvent);
                    _pendingEvents.Add(logEvent);
                    if (!_inFlight) SendPendingLocked();
                    return;
                }
                catch (Exception ex)
                {
                    formatFailure = ex;
                }
            }
        }

        if (formatFailure is null)
        {
            Report(LoggingFailureKind.Final, "the redis stream sink has been disposed, or has handed back what it held at shutdown; the event was not written", [logEvent], null);
        }
        else
        {
            Report(LoggingFailureKind.Permanent, "failed formatting an event as compact JSON", [logEvent], formatFailure);
        }
    }

    /// <summary>
    /// Wait until every event emitted so far has been added to the stream (or reported). The core listener's flush
    /// calls it by name, so <c>QueueHandle.Flush</c> reaches Redis.
    /// </summary>
    public void FlushToDisk()
    {
        lock (_lock)
        {
            // Events pending while nothing is in flight cannot be: Emit sends them at once.
            while (_inFlight)
            {
                Monitor.Wait(_lock);
            }
        }
    }

    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<LogEvent> ReleaseHeld()
    {
        HeldEvents held;
        lock (_lock)
        {
            held = GiveUpLocked();
        }

        ReportPossiblyWritten(held);
        return held.NotWritten;
    }

    public void Dispose()
    {
        DateTime giveUpAt;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            giveUpAt = DateTime.UtcNow + DisposalRetryLimit;
            _giveUpAt = giveUpAt;
        }

        HeldEvents? held = null;
        lock (_lock)
        {
            while (_inFlight)
            {
                var left = giveUpAt - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left)) break;
            }

            if (_inFlight) held = GiveUpLocked();
        }

        if (held is not null) ReportGivenUp(held, "while the sink was being disposed");
        _pending.Dispose();
        _connection.Dispose();
    }

    /// <summary>Whether <see cref="_pending"/> takes no more events. Under <see cref="_lock"/>.</summary>
    bool PendingFullLocked => _pendingEvents.Count >= _batchSizeLimit || _pending.ByteCount >= EntryByteLimit;

    /// <summary>
    /// Stop sending, and take everything held: the batch in flight (as possibly written when an attempt of it may
    /// have reached Redis), the next batch, and the event an <see cref="Emit"/> waits with. Under
    /// <see cref="_lock"/>; a second call takes nothing.
    /// </summary>
    HeldEvents GiveUpLocked()
    {
        if (_givenUp) return new HeldEvents([], []);
        _givenUp = true;

        var sending = _sending;
        List<LogEvent> notWritten = sending is { MayHaveLanded: false } ? [.. sending.Events] : [];
        notWritten.AddRange(_pendingEvents);
        if (_waiting is { } waiting) notWritten.Add(waiting);

        _waiting = null;
        _pendingEvents = [];
        _sending = null;
        _inFlight = false;
        Monitor.PulseAll(_lock);
        return new HeldEvents(notWritten, sending is { MayHaveLanded: true } ? sending.Events : []);
    }

    void ReportPossiblyWritten(HeldEvents held)
    {
        if (held.PossiblyWritten.Count == 0) return;

        Report(LoggingFailureKind.Final,
            $"{held.PossiblyWritten.Count} events were being added to the redis stream {_streamKey} when the sink gave them up; they may or may not be written",
            held.PossiblyWritten, null);
    }

    void ReportGivenUp(HeldEvents held, string when)
    {
        ReportPossiblyWritten(held);
        if (held.NotWritten.Count == 0) return;

        Report(LoggingFailureKind.Final,
            $"{held.NotWritten.Count} events waited to be added to the redis stream {_streamKey} {when}; they were not written",
            held.NotWritten, null);
    }

    /// <summary>Send <see cref="_pending"/> as one entry. Under <see cref="_lock"/>, with nothing in flight.</summary>
    void SendPendingLocked()
    {
        var batch = new StreamBatch(this, _pending.TakePayload(), _pendingEvents, ++_sequence);
        _pendingEvents = [];
        _inFlight = true;
        _sending = batch;
        Send(batch);
    }

    void Send(StreamBatch batch)
    {
        var connecting = _connection.Connecting;
        if (!connecting.IsCompleted)
        {
            // The first attempt to connect is still under way (see RedisConnection): the batch is sent once it ends.
            connecting.ContinueWith(static (_, state) => ((StreamBatch)state!).Sink.Send((StreamBatch)state!),
                batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        lock (_lock)
        {
            if (!ReferenceEquals(_sending, batch)) return;

            // From here Redis may add the entry even if the reply never comes.
            batch.Attempting = true;
        }

        Task<RedisResult> sent;
        try
        {
            sent = CappedStreamAdd.AddAsync(_connection.Database, _streamKey, _maxStreamLength, batch.Payload, _producerId, batch.Sequence);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<RedisResult>(ex);
        }

        // Not synchronously: the completion takes the lock and may send the next batch, which is no work for
        // the connection's own reader.
        sent.ContinueWith(static (task, state) => ((StreamBatch)state!).Sink.OnSent(task, (StreamBatch)state!),
            batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    void OnSent(Task<RedisResult> sent, StreamBatch batch)
    {
        var failure = sent.Exception is { } aggregate
            ? aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException : aggregate
            : null;
        var full = failure is null && sent.Result.IsNull;
        int failures;
        bool retry;
        lock (_lock)
        {
            // Given up meanwhile: its events were handed back or reported, whatever this attempt did.
            if (!ReferenceEquals(_sending, batch)) return;

            batch.Attempting = false;
            if (failure is not null && !AddFailure.CertainlyNotAdded(failure)) batch.MayHaveLanded = true;
            failures = failure is not null || full ? ++_failures : 0;
            retry = _giveUpAt is not { } giveUpAt || DateTime.UtcNow < giveUpAt;
        }

        if (failure is RedisServerException refused && AddFailure.IsRefusal(refused))
        {
            // Retrying cannot help, and in Block mode would hold the application until someone mends the key.
            Report(LoggingFailureKind.Permanent,
                $"the redis server refused to add {batch.Events.Count} events to the stream {_streamKey}; they were not written",
                batch.Events, failure);
        }
        else if (failure is not null || full)
        {
            if (retry)
            {
                if (failures == 1)
                {
                    var cause = RedisFailureCause.Describe(failure, _connection.EndPoints);
                    Report(LoggingFailureKind.Temporary, full
                        ? $"the redis stream {_streamKey} holds {_maxStreamLength} entries, its limit; {batch.Events.Count} events wait until collectors trim what they have acknowledged, with the events behind them waiting"
                        : $"failed adding {batch.Events.Count} events to the redis stream {_streamKey}{(cause is null ? "" : ": " + cause)}; retrying until it succeeds, with the events behind them waiting",
                        null, failure);
                }

                // The server that refused may no longer be the primary: have the client look again.
                if (!full) _connection.FindPrimaryAgain();

                // First in line still: nothing else is sent until this batch is.
                var delay = full
                    ? AddFailure.Backoff(FirstFullDelay, LongestFullDelay, failures)
                    : AddFailure.Backoff(FirstRetryDelay, LongestRetryDelay, failures);
                Task.Delay(delay).ContinueWith(static (_, state) => ((StreamBatch)state!).Sink.Send((StreamBatch)state!),
                    batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return;
            }

            HeldEvents held;
            lock (_lock)
            {
                held = GiveUpLocked();
            }

            ReportGivenUp(held, full ? "(it stayed full while the sink was being disposed)" : "while the sink was being disposed");
            return;
        }

        int failedBefore;
        lock (_lock)
        {
            if (!ReferenceEquals(_sending, batch)) return;

            failedBefore = _failures;
            _failures = 0;
            _inFlight = false;
            _sending = null;
            if (_pendingEvents.Count > 0) SendPendingLocked();
            Monitor.PulseAll(_lock);
        }

        // The end of an outage whose start was reported, so that a reader of the reports knows it is over.
        if (failure is null && failedBefore > 0)
        {
            Report(LoggingFailureKind.Temporary, string.Format(System.Globalization.CultureInfo.InvariantCulture,
                "adding to the redis stream {0} again, after {1} failed attempts", _streamKey, failedBefore), null, null);
        }
    }

    void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
        _failureListener.Report(this, kind, message, events, exception);
}
