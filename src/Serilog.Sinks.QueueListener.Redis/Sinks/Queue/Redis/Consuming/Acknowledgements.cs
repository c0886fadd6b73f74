using Serilog.Core;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Acknowledges (<c>XACK</c>) what a <see cref="RedisStreamQueue"/> read: each batch once the listener has written
/// it, and entries with nothing to write at once; sends again, with the next acknowledgement, what failed. Each entry
/// is acknowledged on the key it was read from (its shard, see <see cref="ShardEntryId"/>), and each key trimmed on
/// its own.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="AcknowledgeBatch"/> on the listener's thread (after each batch);
/// <see cref="AcknowledgeUnwritable"/> on the listener's thread (while it waits for work, and after a read, under the
/// intake's read lock); <see cref="Finish"/> on the disposing thread, after the listener has stopped;
/// <see cref="OnAcknowledged"/> on the thread pool, as a sent acknowledgement completes. No lock of its own: what is
/// taken and put back is <see cref="AcknowledgementBacklog"/>'s, under its lock, and an entry is in one acknowledgement at a
/// time, because taking it removes it there. The trim (<see cref="AcknowledgedTrim"/>, not thread-safe) is used on
/// the listener's thread, and by <see cref="Finish"/> once the listener has stopped.</para>
/// <para>An acknowledgement is sent without waiting for its reply, so that the listener's next batch does not wait a
/// round trip. One that fails is reported (once per run of failures), and its entries are put back as having nothing
/// to write, so they go with the next acknowledgement, or the next wait for work, or the disposal. At least once holds
/// either way: an entry not acknowledged is read again.</para>
/// </remarks>
sealed class Acknowledgements
{
    readonly RedisConnection _connection;
    readonly string _streamName;
    readonly RedisKey[] _streamKeys;
    readonly RedisValue _groupName;
    readonly ReadEntries _entries;
    readonly AcknowledgedTrim[] _trims;
    readonly QueueFailures _failures;

    /// <summary>The last acknowledgement sent, per shard. A key's go out in order on the one connection to the
    /// server that holds it, so waiting for its last one waits for them all. Written on the listener's thread, or on
    /// the disposing thread once the listener has stopped; read at disposal. Reference writes, atomic; volatile
    /// (<see cref="Volatile"/>) so the disposing thread sees the last.</summary>
    readonly Task[] _last;

    /// <summary>1 while acknowledgements fail, so that a run of failures is reported once. Exchanged by the
    /// continuations, which may run at once on several threads.</summary>
    int _failing;

    /// <param name="connection">Where the stream is.</param>
    /// <param name="streamName">The stream, as the reports name it (its key, or its key and shards).</param>
    /// <param name="streamKeys">The key of each shard.</param>
    /// <param name="options">The group, and how often to trim.</param>
    /// <param name="entries">What was read, and handed out.</param>
    /// <param name="failures">Where failures go.</param>
    public Acknowledgements(RedisConnection connection, string streamName, RedisKey[] streamKeys, RedisStreamQueueOptions options,
        ReadEntries entries, QueueFailures failures)
    {
        _connection = connection;
        _streamName = streamName;
        _streamKeys = streamKeys;
        _groupName = options.GroupName;
        _entries = entries;
        _failures = failures;
        _trims = [.. streamKeys.Select(key => new AcknowledgedTrim(connection, key, options.TrimInterval, failures.Report))];
        _last = [.. streamKeys.Select(_ => Task.CompletedTask)];
    }

    /// <summary>Acknowledge the batch the listener has written (see <see cref="AcknowledgementBacklog.TakeBatch"/>),
    /// with the entries that have nothing to write; and trim when due.</summary>
    public void AcknowledgeBatch() => Send(_entries.Backlog.TakeBatch());

    /// <summary>Acknowledge entries with nothing to write at once (unreadable, poison or deleted, or written with an
    /// acknowledgement that failed), so that a stream of nothing else does not wait for a batch that never comes; and
    /// trim when due.</summary>
    public void AcknowledgeUnwritable() => Send(_entries.Backlog.TakeUnwritable());

    /// <summary>Trim what was acknowledged since the last trim, if anything was (see
    /// <see cref="AcknowledgedTrim"/>): while idle, and at disposal.</summary>
    public void TrimIfDue()
    {
        foreach (var trim in _trims) trim.TrimIfDue();
    }

    /// <summary>
    /// At disposal, once the listener has stopped: wait for the acknowledgements sent; then, when connected, send
    /// once more those that failed and trim what was acknowledged since the last trim; all within
    /// <paramref name="wait"/>. What is still not acknowledged then is reported as left pending for the group.
    /// </summary>
    public void Finish(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        WaitForSent(deadline);

        // Written entries whose acknowledgement failed (Redis was away) would be written again by the next reader.
        // With no connection, sending them again, or trimming, would only wait out a timeout each: what disposal
        // may wait is the time above. No trim before the acknowledgement is in: it would leave those entries.
        if (_connection.IsConnected)
        {
            if (Send(_entries.Backlog.TakeUnwritable(), trim: false)) WaitForSent(deadline);
            TrimIfDue();
        }

        ReportLeftPending();
    }

    /// <summary>Say what this consumer leaves pending in the group: not lost, but not written by it either (read and
    /// not handed out, handed out and not written, or written with an acknowledgement that did not succeed).</summary>
    void ReportLeftPending()
    {
        var left = _entries.HeldCount;
        if (left == 0) return;

        _failures.Report(LoggingFailureKind.Temporary, string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{0} entries this collector read and did not acknowledge are left pending in the redis stream {1} for group {2}; the next collector of the group claims them, and writes again any event of them this one wrote",
            left, _streamName, _groupName), null);
    }

    /// <summary>Wait, until <paramref name="deadline"/> at most, for the acknowledgements sent to complete.</summary>
    void WaitForSent(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        try
        {
            var sent = new Task[_last.Length];
            for (var shard = 0; shard < sent.Length; shard++) sent[shard] = Volatile.Read(ref _last[shard]);
            Task.WaitAll(sent, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (AggregateException)
        {
            // The continuation reports; it does not fail.
        }
    }

    /// <summary>Acknowledge <paramref name="taken"/>, each entry on its own key, and then, when
    /// <paramref name="trim"/>, trim each key acknowledged on when due.</summary>
    /// <returns>Whether there was anything to send.</returns>
    bool Send(List<ShardEntryId> taken, bool trim = true)
    {
        if (taken.Count == 0) return false;

        if (_streamKeys.Length == 1)
        {
            SendTo(0, taken);
        }
        else
        {
            foreach (var shard in taken.GroupBy(entry => entry.Shard))
            {
                SendTo(shard.Key, [.. shard]);
            }
        }

        if (!trim) return true;
        foreach (var shard in taken.Select(entry => entry.Shard).Distinct())
        {
            _trims[shard].Acknowledged();
        }

        return true;
    }

    /// <summary>Acknowledge <paramref name="taken"/>, all of <paramref name="shard"/>, without waiting.</summary>
    void SendTo(int shard, List<ShardEntryId> taken)
    {
        Task<long> sent;
        try
        {
            sent = _connection.Database.StreamAcknowledgeAsync(_streamKeys[shard], _groupName, [.. taken.Select(entry => entry.Id)]);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<long>(ex);
        }

        Volatile.Write(ref _last[shard], sent.ContinueWith(
            static (task, state) => ((Sent)state!).Acknowledgements.OnAcknowledged(task, ((Sent)state!).Taken),
            new Sent(this, taken), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
    }

    void OnAcknowledged(Task<long> sent, List<ShardEntryId> taken)
    {
        if (sent.Exception is { } failure)
        {
            _entries.Backlog.Restore(taken);
            if (Interlocked.Exchange(ref _failing, 1) == 0)
            {
                _failures.Report(LoggingFailureKind.Temporary,
                    $"failed to acknowledge {taken.Count} entries of the redis stream {_streamKeys[taken[0].Shard]}; they go with the next acknowledgement, and are read again if none succeeds",
                    failure.InnerExceptions.Count == 1 ? failure.InnerException : failure);
            }

            return;
        }

        _entries.Release(taken);
        Volatile.Write(ref _failing, 0);
    }

    /// <summary>An acknowledgement's state for its continuation, without a closure.</summary>
    sealed record Sent(Acknowledgements Acknowledgements, List<ShardEntryId> Taken);
}
