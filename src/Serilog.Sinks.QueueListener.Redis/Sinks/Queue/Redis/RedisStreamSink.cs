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
/// <para>At process exit, a sink still holding events it cannot send (Redis away, the stream full, while the
/// listener in front is stuck waiting in <see cref="Emit"/> and the logger's disposal gave up on it) gets
/// <see cref="ExitWait"/> to send them, then reports them as <see cref="LoggingFailureKind.Final"/>, as possibly not
/// written: nothing it was handed goes unreported when the process ends.</para>
/// <para>Disposal waits for what was emitted before it, retrying for at most <see cref="DisposalRetryLimit"/>; a
/// batch that still fails after that is reported with its events as <see cref="LoggingFailureKind.Final"/>. After
/// disposal: everything emitted before it has been sent or reported; a later <see cref="Emit"/> is reported as
/// <see cref="LoggingFailureKind.Final"/>; an owned connection is closed.</para>
/// </remarks>
sealed class RedisStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener
{
    static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);
    static readonly TimeSpan DisposalRetryLimit = TimeSpan.FromSeconds(10);
    static readonly TimeSpan FirstFullDelay = TimeSpan.FromMilliseconds(5);
    static readonly TimeSpan LongestFullDelay = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A batch takes no more events once its lines reach this many bytes, so that an entry stays below the runtime's
    /// large object threshold (85,000 bytes) on both sides unless its last event is large: the producer's payload and
    /// the collector's copy of it as read are then short-lived gen0 objects, where entries of a few hundred
    /// kilobytes each went to the large object heap and made most collections gen2 collections.
    /// </summary>
    internal const int EntryByteLimit = 64 * 1024;

    readonly IDatabase _database;
    readonly IConnectionMultiplexer? _ownedConnection;
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

    /// <summary>Whether an <c>XADD</c> is in flight or waiting to be retried; its success (or, at disposal, giving
    /// it up) clears it and pulses <see cref="_lock"/>. Under <see cref="_lock"/>.</summary>
    bool _inFlight;

    /// <summary>How many times in a row the batch in flight has failed. Under <see cref="_lock"/>.</summary>
    int _failures;

    /// <summary>Set by <see cref="Dispose"/>: after this moment a failed batch is reported, not retried. Under
    /// <see cref="_lock"/>.</summary>
    DateTime? _giveUpAt;

    /// <summary>The batch in flight, or waiting to be retried. Under <see cref="_lock"/>.</summary>
    Batch? _sending;

    /// <summary>Set by <see cref="Dispose"/>, or at process exit: later events are reported, not sent. Under
    /// <see cref="_lock"/>.</summary>
    bool _disposed;

    /// <summary>Set at process exit once the batch in flight has been reported, so that its failure is not reported
    /// again. Under <see cref="_lock"/>.</summary>
    bool _exitReported;

    /// <summary>Set during configuration, before logging starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <param name="database">Where the stream is.</param>
    /// <param name="ownedConnection">A connection to close at disposal, or <see langword="null"/>.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="batchSizeLimit">The most events in one entry.</param>
    /// <param name="maxStreamLength">The most entries the stream may hold before this producer waits.</param>
    public RedisStreamSink(IDatabase database, IConnectionMultiplexer? ownedConnection, string streamKey, int batchSizeLimit,
        int maxStreamLength)
    {
        _database = database;
        _ownedConnection = ownedConnection;
        _streamKey = streamKey;
        _batchSizeLimit = batchSizeLimit;
        _maxStreamLength = maxStreamLength;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent is null) return;

        Exception? formatFailure;
        lock (_lock)
        {
            while (!_disposed && _inFlight && PendingFullLocked)
            {
                Monitor.Wait(_lock);
            }

            if (_disposed)
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
            Report(LoggingFailureKind.Final, "the redis stream sink has been disposed, or its process is exiting; the event was not written", [logEvent], null);
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

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _giveUpAt = DateTime.UtcNow + DisposalRetryLimit;
        }

        FlushToDisk();
        _pending.Dispose();
        _ownedConnection?.Dispose();
    }

    /// <summary>Whether <see cref="_pending"/> takes no more events. Under <see cref="_lock"/>.</summary>
    bool PendingFullLocked => _pendingEvents.Count >= _batchSizeLimit || _pending.ByteCount >= EntryByteLimit;

    /// <summary>Send <see cref="_pending"/> as one entry. Under <see cref="_lock"/>, with nothing in flight.</summary>
    void SendPendingLocked()
    {
        var batch = new Batch(_pending.TakePayload(), _pendingEvents, ++_sequence);
        _pendingEvents = [];
        _inFlight = true;
        _sending = batch;
        Send(batch);
    }

    void Send(Batch batch)
    {
        Task<RedisResult> sent;
        try
        {
            sent = CappedStreamAdd.AddAsync(_database, _streamKey, _maxStreamLength, batch.Payload, _producerId, batch.Sequence);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<RedisResult>(ex);
        }

        // Not synchronously: the completion takes the lock and may send the next batch, which is no work for
        // the connection's own reader.
        sent.ContinueWith(static (task, state) => ((Batch)state!).Sink!.OnSent(task, (Batch)state!),
            batch with { Sink = this }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    void OnSent(Task<RedisResult> sent, Batch batch)
    {
        var failure = sent.Exception is { } aggregate
            ? aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException : aggregate
            : null;
        var full = failure is null && sent.Result.IsNull;
        if (failure is RedisServerException refused && IsRefusal(refused))
        {
            // Retrying cannot help, and in Block mode would hold the application until someone mends the key.
            Report(LoggingFailureKind.Permanent,
                $"the redis server refused to add {batch.Events.Count} events to the stream {_streamKey}; they were not written",
                batch.Events, failure);
        }
        else if (failure is not null || full)
        {
            int failures;
            bool retry;
            bool reported;
            lock (_lock)
            {
                failures = ++_failures;
                retry = _giveUpAt is not { } giveUpAt || DateTime.UtcNow < giveUpAt;
                reported = _exitReported;
            }

            if (reported) retry = false;

            if (retry)
            {
                if (failures == 1)
                {
                    Report(LoggingFailureKind.Temporary, full
                        ? $"the redis stream {_streamKey} holds {_maxStreamLength} entries, its limit; {batch.Events.Count} events wait until collectors trim what they have acknowledged, with the events behind them waiting"
                        : $"failed adding {batch.Events.Count} events to the redis stream {_streamKey}; retrying until it succeeds, with the events behind them waiting",
                        null, failure);
                }

                // First in line still: nothing else is sent until this batch is.
                var delay = full ? Backoff(FirstFullDelay, LongestFullDelay, failures) : Backoff(FirstRetryDelay, LongestRetryDelay, failures);
                Task.Delay(delay).ContinueWith(static (_, state) => ((Batch)state!).Sink!.Send((Batch)state!),
                    batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return;
            }

            if (!reported)
            {
                Report(LoggingFailureKind.Final, full
                    ? $"the redis stream {_streamKey} stayed full while the sink was being disposed; {batch.Events.Count} events were not written"
                    : $"failed adding {batch.Events.Count} events to the redis stream {_streamKey} while the sink was being disposed; they were not written",
                    batch.Events, failure);
            }
        }

        lock (_lock)
        {
            _failures = 0;
            _inFlight = false;
            _sending = null;
            if (_pendingEvents.Count > 0) SendPendingLocked();
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// At process exit: wait briefly for the batch in flight; if it is still not sent, report it and the next batch,
    /// and take no more events. A sink whose batches go through does nothing here, and the queue's own exit drain
    /// (which runs before or after this) sends the rest through it.
    /// </summary>
    void OnProcessExit(object? sender, EventArgs e)
    {
        List<LogEvent> held;
        lock (_lock)
        {
            var deadline = DateTime.UtcNow + ExitWait;
            while (_inFlight)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left)) break;
            }

            if (!_inFlight) return;

            held = [.. _sending?.Events ?? [], .. _pendingEvents];
            _pendingEvents = [];
            _exitReported = true;
            _disposed = true;
            Monitor.PulseAll(_lock);
        }

        Report(LoggingFailureKind.Final,
            $"the process is exiting while {held.Count} events wait to be added to the redis stream {_streamKey} (Redis cannot be reached, or the stream is full); they may not be written",
            held, null);
    }

    /// <summary>Whether the server refused the command for a reason that lasts: the key holds something other than a
    /// stream, or the user may not run the command. Other server errors (loading after a restart, out of memory, a
    /// replica that is read-only during a failover) pass, and are retried.</summary>
    static bool IsRefusal(RedisServerException exception) =>
        exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal) ||
        exception.Message.StartsWith("NOPERM", StringComparison.Ordinal);

    static TimeSpan Backoff(TimeSpan first, TimeSpan longest, int failures)
    {
        var delay = TimeSpan.FromTicks(first.Ticks << Math.Min(failures - 1, 16));
        return delay < longest ? delay : longest;
    }

    void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        try
        {
            _failureListener.OnLoggingFailed(this, kind, message, events, exception);
        }
        catch
        {
            // A failure listener that fails has nowhere left to report to.
        }
    }

    /// <summary>One entry's worth: its payload, its events and its number, and the sink that sends it (set when it
    /// is sent, to pass both to a continuation without a closure).</summary>
    sealed record Batch(byte[] Payload, List<LogEvent> Events, long Sequence)
    {
        public RedisStreamSink? Sink { get; init; }
    }
}
