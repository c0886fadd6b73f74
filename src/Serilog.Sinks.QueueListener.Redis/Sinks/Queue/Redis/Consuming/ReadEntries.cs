using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamQueue"/> has read and not yet acknowledged: the entries and markers waiting to be
/// dequeued, in order, and the entries whose every event has been handed out. Thread-safe; its lock is never held
/// across a call to Redis, so adding a marker never waits for one.
/// </summary>
/// <remarks>An entry is kept as read and decoded into events only when the listener comes to it: a read of many
/// large entries would otherwise hold all their events at once, long enough for the garbage collector to promote
/// them.</remarks>
sealed class ReadEntries
{
    /// <summary>Tags an entry that any thread's acknowledgement may take: one with no event to hand out.</summary>
    public const int AnyThread = 0;

    readonly object _lock = new();

    /// <summary>Turns an entry into its events, reporting what it cannot; called under the lock.</summary>
    readonly Func<StreamEntry, List<LogEvent>> _decode;

    /// <summary>Entries not yet decoded (<see cref="ReadEntry"/>), entries decoded ahead of the listener (events, with
    /// an <see cref="EntryEnd"/> right behind each entry's last), and markers.</summary>
    readonly Queue<object> _items = new();

    /// <summary>The events of the entry decoded last, with its <see cref="EntryEnd"/>: ahead of
    /// <see cref="_items"/>.</summary>
    readonly Queue<object> _decoded = new();

    /// <summary>The entries whose every event has been handed out, each with the managed thread id of the
    /// <see cref="TryDequeue"/> that handed out its last event.</summary>
    /// <remarks>Why the thread: an acknowledgement means that what <see cref="TryDequeue"/> returned to the
    /// listener has been written, and the listener calls both on its own thread. After a shutdown that timed out,
    /// the shutdown also dequeues, on another thread, events it reports as never written; an abandoned listener that
    /// then finishes its batch and acknowledges must not acknowledge those. Tagging with the thread tells them apart
    /// without the listener saying which is which.</remarks>
    readonly List<(RedisValue Id, int Thread)> _handedOut = [];

    /// <summary>The ids of the entries read and not yet acknowledged.</summary>
    readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>The number of events decoded and not yet dequeued; written under the lock, read without it.</summary>
    int _count;

    public ReadEntries(Func<StreamEntry, List<LogEvent>> decode)
    {
        _decode = decode;
    }

    /// <summary>The number of decoded events waiting to be dequeued, a snapshot; entries not yet decoded are not
    /// counted.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool HasItems
    {
        get
        {
            lock (_lock)
            {
                return _decoded.Count > 0 || _items.Count > 0;
            }
        }
    }

    /// <summary>Whether entries with nothing to write wait to be acknowledged by any thread: unreadable or poison
    /// ones, and written ones whose acknowledgement failed.</summary>
    public bool HasUnwritable
    {
        get
        {
            lock (_lock)
            {
                return _handedOut.Exists(h => h.Thread == AnyThread);
            }
        }
    }

    /// <summary>Whether the entry <paramref name="id"/> was read and is not yet acknowledged.</summary>
    public bool IsHeld(RedisValue id)
    {
        lock (_lock)
        {
            return _held.Contains(id.ToString());
        }
    }

    public void AddMarker(QueueMarker marker)
    {
        lock (_lock)
        {
            _items.Enqueue(marker);
        }
    }

    /// <summary>Add an entry read, to be decoded when the listener comes to it.</summary>
    public void AddEntry(StreamEntry entry)
    {
        lock (_lock)
        {
            _held.Add(entry.Id.ToString());
            _items.Enqueue(new ReadEntry(entry));
        }
    }

    /// <summary>Add an entry that has nothing to write (a poison entry), ready to be acknowledged by any thread at
    /// once.</summary>
    public void AddUnwritable(RedisValue id)
    {
        lock (_lock)
        {
            _held.Add(id.ToString());
            _handedOut.Add((id, AnyThread));
        }
    }

    /// <summary>Take events, or one marker, off the head; see <see cref="RedisStreamQueue.TryDequeue"/>.</summary>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        marker = null;
        var count = 0;
        var thread = Environment.CurrentManagedThreadId;
        lock (_lock)
        {
            // An entry's end is taken with its last event, even when that fills the batch.
            while (_decoded.Count > 0 || _items.Count > 0)
            {
                var from = _decoded.Count > 0 ? _decoded : _items;
                var head = from.Peek();
                if (head is EntryEnd end)
                {
                    from.Dequeue();
                    _handedOut.Add((end.Id, thread));
                    continue;
                }

                if (count == batch.Length) break;
                if (head is ReadEntry read)
                {
                    from.Dequeue();
                    Decode(read.Entry);
                    continue;
                }

                if (head is QueueMarker headMarker)
                {
                    if (count == 0)
                    {
                        marker = headMarker;
                        from.Dequeue();
                    }

                    break;
                }

                batch[count++] = (LogEvent)from.Dequeue();
                _count--;
            }
        }

        return count;
    }

    /// <summary>Take the handed-out entries of <paramref name="thread"/> and those of <see cref="AnyThread"/>, to
    /// acknowledge; then <see cref="Release"/> them, or <see cref="Restore"/> them when that failed.</summary>
    public List<(RedisValue Id, int Thread)> TakeHandedOut(int thread)
    {
        lock (_lock)
        {
            var taken = _handedOut.FindAll(h => h.Thread == thread || h.Thread == AnyThread);
            if (taken.Count > 0) _handedOut.RemoveAll(h => h.Thread == thread || h.Thread == AnyThread);
            return taken;
        }
    }

    /// <summary>Put back entries whose acknowledgement failed, to go with the next one.</summary>
    /// <remarks>Tagged for any thread: an acknowledgement was sent only for entries the listener had written, so
    /// the queue may send it again while idle, or at disposal, without waiting for a batch that may never
    /// come.</remarks>
    public void Restore(List<(RedisValue Id, int Thread)> taken)
    {
        lock (_lock)
        {
            foreach (var (id, _) in taken)
            {
                _handedOut.Add((id, AnyThread));
            }
        }
    }

    /// <summary>Forget acknowledged entries.</summary>
    public void Release(List<(RedisValue Id, int Thread)> taken)
    {
        lock (_lock)
        {
            foreach (var (id, _) in taken)
            {
                _held.Remove(id.ToString());
            }
        }
    }

    /// <summary>Put the events of <paramref name="entry"/> in <see cref="_decoded"/>; an entry with none is ready to be
    /// acknowledged by any thread. Under the lock, with <see cref="_decoded"/> empty.</summary>
    void Decode(StreamEntry entry)
    {
        var events = _decode(entry);
        if (events.Count == 0)
        {
            _handedOut.Add((entry.Id, AnyThread));
            return;
        }

        foreach (var logEvent in events)
        {
            _decoded.Enqueue(logEvent);
        }

        _decoded.Enqueue(new EntryEnd(entry.Id));
        _count += events.Count;
    }

    /// <summary>An entry as read, not yet decoded.</summary>
    sealed class ReadEntry(StreamEntry entry)
    {
        public StreamEntry Entry { get; } = entry;
    }

    /// <summary>Stands right behind the last event of the entry <see cref="Id"/>.</summary>
    sealed class EntryEnd(RedisValue id)
    {
        public RedisValue Id { get; } = id;
    }
}
