using System.Diagnostics;
using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamQueue"/> has read and not yet acknowledged: the entries and markers waiting to be
/// dequeued, in order, and the ids of all it holds; what was handed out and waits to be acknowledged is recorded in
/// <see cref="Backlog"/>.
/// </summary>
/// <remarks>
/// <para>An entry is kept as read and decoded into events only when the listener comes to it: a read of many large
/// entries would otherwise hold all their events at once, long enough for the garbage collector to promote
/// them.</para>
/// <para>Threads: <see cref="AddEntry"/>, <see cref="AddUnwritable"/> and <see cref="IsHeld"/> on the listener's
/// thread, under the intake's read lock; <see cref="TryDequeue"/> on the listener's thread and on a thread that
/// reclaims what is left at shutdown; <see cref="AddMarker"/> on any thread (a flush, a stop);
/// <see cref="Release"/> on the thread pool, as an acknowledgement completes. Every member takes
/// <see cref="_lock"/>, which is never held across a call to Redis, so adding a marker never waits for one; the
/// backlog's lock is taken inside it, never the other way round, so that batches are recorded in the order they were
/// dequeued.</para>
/// </remarks>
sealed class ReadEntries
{
    readonly object _lock = new();

    /// <summary>Turns an entry of a shard into its events, reporting what it cannot; called under the lock.</summary>
    readonly Func<int, StreamEntry, List<LogEvent>> _decode;

    /// <summary>Entries not yet decoded (<see cref="ReadEntry"/>), entries decoded ahead of the listener (events, with
    /// an <see cref="EntryEnd"/> right behind each entry's last), and markers.</summary>
    readonly Queue<object> _items = new();

    /// <summary>The events of the entry decoded last, with its <see cref="EntryEnd"/>: ahead of
    /// <see cref="_items"/>.</summary>
    readonly Queue<object> _decoded = new();

    /// <summary>The entries read and not yet acknowledged, by shard and id (as text).</summary>
    readonly HashSet<(int Shard, string Id)> _held = [];

    /// <summary>The number of events decoded and not yet dequeued; written under the lock, read without it.</summary>
    int _count;

    public ReadEntries(Func<int, StreamEntry, List<LogEvent>> decode)
    {
        _decode = decode;
    }

    /// <summary>What was handed out, or has nothing to write, and waits to be acknowledged.</summary>
    public AcknowledgementBacklog Backlog { get; } = new();

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

    /// <summary>The number of entries read and not yet acknowledged.</summary>
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Whether the entry <paramref name="id"/> of <paramref name="shard"/> was read and is not yet
    /// acknowledged.</summary>
    public bool IsHeld(int shard, RedisValue id)
    {
        lock (_lock)
        {
            return _held.Contains((shard, id.ToString()));
        }
    }

    public void AddMarker(QueueMarker marker)
    {
        lock (_lock)
        {
            _items.Enqueue(marker);
        }
    }

    /// <summary>Add an entry read from <paramref name="shard"/>, to be decoded when the listener comes to it.</summary>
    public void AddEntry(int shard, StreamEntry entry)
    {
        lock (_lock)
        {
            _held.Add((shard, entry.Id.ToString()));
            _items.Enqueue(new ReadEntry(shard, entry));
        }
    }

    /// <summary>Add an entry that has nothing to write (a poison entry), ready to be acknowledged at once.</summary>
    public void AddUnwritable(int shard, RedisValue id)
    {
        lock (_lock)
        {
            _held.Add((shard, id.ToString()));
            Backlog.AddUnwritable(new ShardEntryId(shard, id));
        }
    }

    /// <summary>Take events, or one marker, off the head; see <see cref="RedisStreamQueue.TryDequeue"/>.</summary>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        marker = null;
        var count = 0;
        List<ShardEntryId> ended = [];
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
                    ended.Add(end.Id);
                    continue;
                }

                if (count == batch.Length) break;
                if (head is ReadEntry read)
                {
                    from.Dequeue();
                    Decode(read.Shard, read.Entry);
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

            // An entry's end is taken with its last event, so a call that hands out no event ends no entry.
            Debug.Assert(count > 0 || ended.Count == 0, "an entry ended without an event handed out");
            if (count > 0) Backlog.AddBatch(ended);
        }

        return count;
    }

    /// <summary>Forget acknowledged entries: a claim sweep may take them again.</summary>
    public void Release(List<ShardEntryId> taken)
    {
        lock (_lock)
        {
            foreach (var entry in taken)
            {
                _held.Remove((entry.Shard, entry.Id.ToString()));
            }
        }
    }

    /// <summary>Put the events of <paramref name="entry"/> in <see cref="_decoded"/>; an entry with none is ready to be
    /// acknowledged at once. Under the lock, with <see cref="_decoded"/> empty.</summary>
    void Decode(int shard, StreamEntry entry)
    {
        var events = _decode(shard, entry);
        if (events.Count == 0)
        {
            Backlog.AddUnwritable(new ShardEntryId(shard, entry.Id));
            return;
        }

        foreach (var logEvent in events)
        {
            _decoded.Enqueue(logEvent);
        }

        _decoded.Enqueue(new EntryEnd(new ShardEntryId(shard, entry.Id)));
        _count += events.Count;
    }

    /// <summary>An entry as read from a shard, not yet decoded.</summary>
    sealed class ReadEntry(int shard, StreamEntry entry)
    {
        public int Shard { get; } = shard;

        public StreamEntry Entry { get; } = entry;
    }

    /// <summary>Stands right behind the last event of the entry <see cref="Id"/>.</summary>
    sealed class EntryEnd(ShardEntryId id)
    {
        public ShardEntryId Id { get; } = id;
    }
}
