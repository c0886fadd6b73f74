using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The producer side of a stream spread over several keys (see <see cref="StreamShards"/>): one
/// <see cref="RedisStreamSink"/> per key over one shared connection, so that up to one <c>XADD</c> per key is in
/// flight at once, each to the master that holds its key.
/// </summary>
/// <remarks>
/// <para>Why a sink per key rather than one sink sending its batches round robin: a sink sends one batch at a time
/// (group commit), so round robin alone would take turns, not run side by side. Each shard keeps the whole of a
/// sink's protocol (its batch in flight, its next batch, its retries, its reports naming its key), and this class
/// only chooses where each event goes: to the next shard in turn that takes it without waiting, preferring one with
/// nothing in flight, which sends it at once. So an idle producer still adds no latency, and a busy one fills the
/// next batch of every shard while their entries are on their way. When every shard's next batch is full, the
/// event waits on the next shard in turn, which is back pressure into the queue in front, as with one key.</para>
/// <para>Order: each shard's entries are added in the order their events were emitted, so events keep their order
/// within a key, not across keys.</para>
/// <para>Threads: <see cref="Emit"/> on the queue's listener thread only (as <see cref="RedisStreamSink"/>), so
/// <see cref="_next"/> needs no lock. Flush, shutdown and disposal go to every shard; the accounting (what is sent,
/// held, handed back or reported) is each shard's, unchanged, and the union of theirs is this sink's.</para>
/// </remarks>
sealed class ShardedStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener, IHoldingSink
{
    readonly RedisConnection _connection;
    readonly RedisStreamSink[] _shards;

    /// <summary>The shard to try first for the next event. Read and written by <see cref="Emit"/> alone.</summary>
    int _next;

    /// <summary>1 once <see cref="Dispose"/> has begun.</summary>
    int _disposed;

    /// <param name="connection">Where the streams are; shared by the shards, and closed at disposal when it is the
    /// sink's own.</param>
    /// <param name="options">The settings, the same for every shard but the key.</param>
    /// <param name="streamKeys">The key of each shard.</param>
    public ShardedStreamSink(RedisConnection connection, RedisStreamSinkOptions options, IReadOnlyList<StackExchange.Redis.RedisKey> streamKeys)
    {
        _connection = connection;
        _shards = [.. streamKeys.Select(key => new RedisStreamSink(connection, options with { StreamKey = key }))];
    }

    public void Emit(LogEvent logEvent)
    {
        if (logEvent is null) return;

        // First a shard with nothing in flight, which sends the event at once; then one whose next batch has room.
        if (TryEmit(logEvent, idleOnly: true) || TryEmit(logEvent, idleOnly: false)) return;

        // Every next batch is full: wait for room in the next shard in turn.
        var shard = _shards[_next];
        _next = (_next + 1) % _shards.Length;
        shard.Emit(logEvent);
    }

    bool TryEmit(LogEvent logEvent, bool idleOnly)
    {
        for (var i = 0; i < _shards.Length; i++)
        {
            var index = (_next + i) % _shards.Length;
            var shard = _shards[index];
            if (idleOnly && !shard.IsIdle) continue;
            if (!shard.TryEmit(logEvent)) continue;

            _next = (index + 1) % _shards.Length;
            return true;
        }

        return false;
    }

    /// <summary>Wait until every event emitted so far has been added to its key (or reported); called by name by the
    /// core listener's flush, as <see cref="RedisStreamSink.FlushToDisk"/>.</summary>
    public void FlushToDisk()
    {
        foreach (var shard in _shards) shard.FlushToDisk();
    }

    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        if (failureListener is null) throw new ArgumentNullException(nameof(failureListener));
        foreach (var shard in _shards) shard.SetFailureListener(failureListener);
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<LogEvent> ReleaseHeld()
    {
        List<LogEvent> held = [];
        foreach (var shard in _shards) held.AddRange(shard.ReleaseHeld());
        return held;
    }

    /// <summary>Wait until every shard has added what it was handed (see
    /// <see cref="RedisStreamSink.WaitUntilWritten"/>).</summary>
    /// <returns><see langword="false"/> when a shutdown that gave up took back what a shard held.</returns>
    public bool WaitUntilWritten()
    {
        var written = true;
        foreach (var shard in _shards) written &= shard.WaitUntilWritten();
        return written;
    }

    /// <summary>Stop every shard at once, with one deadline (so that disposal waits the retry limit once, not once
    /// per shard), wait for each, then close the connection when it is the sink's own.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        var giveUpAt = DateTime.UtcNow + RedisStreamSink.DisposalRetryLimit;
        var stopped = _shards.Where(shard => shard.StopTaking(giveUpAt)).ToList();
        foreach (var shard in stopped) shard.SendOrReportHeld(giveUpAt);
        _connection.Dispose();
    }
}
