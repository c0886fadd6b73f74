namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamQueue"/> has handed out, or found with nothing to write, and not yet acknowledged:
/// the batches <c>TryDequeue</c> handed out, oldest first, each with the entries whose last event it held; and the
/// entries any acknowledgement may take.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="AddBatch"/> and <see cref="AddUnwritable"/> under <see cref="ReadEntries"/>' lock (the
/// listener's thread, or a thread reclaiming what is left at shutdown), so batches are recorded in the order they
/// were dequeued; <see cref="TakeBatch"/> and <see cref="TakeUnwritable"/> on the listener's thread, or the disposing
/// thread once it has stopped; <see cref="Restore"/> on the thread pool, as an acknowledgement fails. Every member
/// takes <see cref="_lock"/>, and calls nothing under it.</para>
/// <para>Why per batch, and not, as an earlier version did, per thread that dequeued: see
/// <see cref="TakeBatch"/>.</para>
/// </remarks>
sealed class AcknowledgementBacklog
{
    readonly object _lock = new();

    /// <summary>One element per <c>TryDequeue</c> that handed out events, oldest first: the ids of the entries whose
    /// last event it handed out (maybe none).</summary>
    readonly Queue<List<ShardEntryId>> _batches = new();

    /// <summary>Entries with nothing to write, which any acknowledgement may take: unreadable, poison or deleted
    /// ones, and written ones whose acknowledgement failed.</summary>
    readonly List<ShardEntryId> _unwritable = [];

    /// <summary>Whether entries with nothing to write wait to be acknowledged.</summary>
    public bool HasUnwritable
    {
        get
        {
            lock (_lock)
            {
                return _unwritable.Count > 0;
            }
        }
    }

    /// <summary>Record a batch handed out, with the entries whose last event it held.</summary>
    public void AddBatch(List<ShardEntryId> ended)
    {
        lock (_lock)
        {
            _batches.Enqueue(ended);
        }
    }

    /// <summary>Add an entry with nothing to write, ready to be acknowledged at once.</summary>
    public void AddUnwritable(ShardEntryId id)
    {
        lock (_lock)
        {
            _unwritable.Add(id);
        }
    }

    /// <summary>
    /// Take the entries the oldest batch not yet acknowledged ended, with every entry with nothing to write, to
    /// acknowledge; then release them (<see cref="ReadEntries.Release"/>), or <see cref="Restore"/> them when that
    /// failed.
    /// </summary>
    /// <remarks>
    /// <para>Why the oldest batch is the listener's: the listener acknowledges each batch it took before it takes
    /// the next (<c>ListenerLoop</c>: <c>TryDequeue</c>, write, <c>Acknowledge</c>), so at its acknowledgement every
    /// batch of its own before this one has been taken, and this one is the oldest left unless another caller's
    /// batch was recorded before it.</para>
    /// <para>The one other caller is the reclaim of what is left, whose events are reported as not written and must
    /// not be acknowledged. At the end of the final run it runs on the listener's thread, after its last
    /// acknowledgement. At a shutdown that gave up on the listener it runs on the disposing thread, after the
    /// abandoning thread has set the listener's abandoned flag and passed its barrier (<c>HeldBatch</c>): a batch the
    /// listener recorded after the reclaim's first dequeue was therefore taken after that barrier, so the listener
    /// sees the flag when it begins that batch, writes none of it and acknowledges nothing more. So every batch the
    /// listener acknowledges was recorded before the reclaim's; the reclaim's are never taken, and stay pending in
    /// the group for the next reader. An abandoned listener's last batch is never taken either: no acknowledgement
    /// follows the abandonment, which only the final disposal does.</para>
    /// <para>Unlike the thread that took a batch, which an earlier version keyed on, this holds for a consumer that
    /// dequeues and acknowledges on different threads, and for a reclaim on the listener's own thread. It leans on
    /// the listener's alternation: a run that ended by an exception escaping its loop between a dequeue and its
    /// acknowledgement (which the core reports as a failure of the listener thread) would leave its batch here, and
    /// a run started again over the same queue would then acknowledge one batch behind.</para>
    /// </remarks>
    public List<ShardEntryId> TakeBatch()
    {
        lock (_lock)
        {
            var taken = _batches.Count > 0 ? _batches.Dequeue() : [];
            taken.AddRange(_unwritable);
            _unwritable.Clear();
            return taken;
        }
    }

    /// <summary>Take the entries with nothing to write, to acknowledge; as <see cref="TakeBatch"/>, without a
    /// batch.</summary>
    public List<ShardEntryId> TakeUnwritable()
    {
        lock (_lock)
        {
            List<ShardEntryId> taken = [.. _unwritable];
            _unwritable.Clear();
            return taken;
        }
    }

    /// <summary>Put back entries whose acknowledgement failed, to go with the next one.</summary>
    /// <remarks>As entries with nothing to write: an acknowledgement was sent only for entries the listener had
    /// written, so the queue may send it again while idle, or at disposal, without waiting for a batch that may never
    /// come.</remarks>
    public void Restore(List<ShardEntryId> taken)
    {
        lock (_lock)
        {
            _unwritable.AddRange(taken);
        }
    }
}
