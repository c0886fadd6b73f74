using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamQueue"/> has read and not yet acknowledged: the events and markers waiting to be
/// dequeued, in order, and the entries whose every event has been handed out. Thread-safe; its lock is never held
/// across a call to Redis, so adding a marker never waits for one.
/// </summary>
sealed class ReadEntries
{
    /// <summary>Tags an entry that any thread's acknowledgement may take: one with no event to hand out.</summary>
    public const int AnyThread = 0;

    readonly object _lock = new();

    /// <summary>Events, each entry's <see cref="EntryEnd"/> right behind its last event, and markers.</summary>
    readonly Queue<object> _items = new();

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

    /// <summary>The number of events in <see cref="_items"/>; written under the lock, read without it.</summary>
    int _count;

    /// <summary>The number of events waiting to be dequeued, a snapshot.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool HasItems
    {
        get
        {
            lock (_lock)
            {
                return _items.Count > 0;
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

    /// <summary>Add the entry <paramref name="id"/> with its events; an entry with none is ready to be
    /// acknowledged by any thread at once.</summary>
    public void AddEntry(RedisValue id, IReadOnlyList<LogEvent> events)
    {
        lock (_lock)
        {
            _held.Add(id.ToString());
            if (events.Count == 0)
            {
                _handedOut.Add((id, AnyThread));
                return;
            }

            foreach (var logEvent in events)
            {
                _items.Enqueue(logEvent);
            }

            _items.Enqueue(new EntryEnd(id));
            _count += events.Count;
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
            while (_items.Count > 0)
            {
                var head = _items.Peek();
                if (head is EntryEnd end)
                {
                    _items.Dequeue();
                    _handedOut.Add((end.Id, thread));
                    continue;
                }

                if (count == batch.Length) break;
                if (head is QueueMarker headMarker)
                {
                    if (count == 0)
                    {
                        marker = headMarker;
                        _items.Dequeue();
                    }

                    break;
                }

                batch[count++] = (LogEvent)_items.Dequeue();
            }

            _count -= count;
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
    public void Restore(List<(RedisValue Id, int Thread)> taken)
    {
        lock (_lock)
        {
            _handedOut.AddRange(taken);
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

    /// <summary>Stands in <see cref="_items"/> right behind the last event of the entry <see cref="Id"/>.</summary>
    sealed class EntryEnd(RedisValue id)
    {
        public RedisValue Id { get; } = id;
    }
}
