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
/// <see cref="_batchSizeLimit"/>, at which <see cref="Emit"/> waits for the one in flight (back pressure into the
/// queue in front).</para>
/// <para>An <c>XADD</c> that fails is reported with its events to the failure listener and not retried.</para>
/// <para>After disposal: everything emitted before it has been sent or reported; a later <see cref="Emit"/> is
/// reported as <see cref="LoggingFailureKind.Final"/>; an owned connection is closed.</para>
/// </remarks>
sealed class RedisStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener
{
    readonly IDatabase _database;
    readonly IConnectionMultiplexer? _ownedConnection;
    readonly RedisKey _streamKey;
    readonly int _batchSizeLimit;

    /// <summary>Guards every field below; never held while calling out (the failure listener, Redis's completion
    /// of a send is awaited outside it).</summary>
    readonly object _lock = new();

    /// <summary>The next batch: formatted, not yet sent. Under <see cref="_lock"/>.</summary>
    readonly ClefWriter _pending = new();

    /// <summary>The events of <see cref="_pending"/>, to report if their send fails. Under <see cref="_lock"/>.</summary>
    List<LogEvent> _pendingEvents = [];

    /// <summary>Whether an <c>XADD</c> is in flight; its completion clears it and pulses <see cref="_lock"/>. Under
    /// <see cref="_lock"/>.</summary>
    bool _inFlight;

    /// <summary>Under <see cref="_lock"/>.</summary>
    bool _disposed;

    /// <summary>Set during configuration, before logging starts.</summary>
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <param name="database">Where the stream is.</param>
    /// <param name="ownedConnection">A connection to close at disposal, or <see langword="null"/>.</param>
    /// <param name="streamKey">The stream's key.</param>
    /// <param name="batchSizeLimit">The most events in one entry.</param>
    public RedisStreamSink(IDatabase database, IConnectionMultiplexer? ownedConnection, string streamKey, int batchSizeLimit)
    {
        _database = database;
        _ownedConnection = ownedConnection;
        _streamKey = streamKey;
        _batchSizeLimit = batchSizeLimit;
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent is null) return;

        Exception? formatFailure;
        lock (_lock)
        {
            if (_disposed)
            {
                formatFailure = null;
            }
            else
            {
                while (_inFlight && _pendingEvents.Count >= _batchSizeLimit)
                {
                    Monitor.Wait(_lock);
                }

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
            Report(LoggingFailureKind.Final, "the redis stream sink has been disposed; the event was not written", [logEvent], null);
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
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }

        FlushToDisk();
        _pending.Dispose();
        _ownedConnection?.Dispose();
    }

    /// <summary>Send <see cref="_pending"/> as one entry. Under <see cref="_lock"/>, with nothing in flight.</summary>
    void SendPendingLocked()
    {
        var events = _pendingEvents;
        var payload = _pending.TakePayload();
        _pendingEvents = [];
        _inFlight = true;

        Task<RedisValue> sent;
        try
        {
            sent = _database.StreamAddAsync(_streamKey, RedisStreamFormat.EventsField, payload);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<RedisValue>(ex);
        }

        // Not synchronously: the completion takes the lock and may send the next batch, which is no work for
        // the connection's own reader.
        sent.ContinueWith(static (task, state) => ((RedisStreamSink)((object[])state!)[0]).OnSent(task, (List<LogEvent>)((object[])state!)[1]),
            new object[] { this, events }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    void OnSent(Task<RedisValue> sent, List<LogEvent> events)
    {
        if (sent.Exception is { } failure)
        {
            Report(LoggingFailureKind.Permanent, $"failed adding {events.Count} events to the redis stream {_streamKey}",
                events, failure.InnerExceptions.Count == 1 ? failure.InnerException : failure);
        }

        lock (_lock)
        {
            _inFlight = false;
            if (_pendingEvents.Count > 0) SendPendingLocked();
            Monitor.PulseAll(_lock);
        }
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
}
