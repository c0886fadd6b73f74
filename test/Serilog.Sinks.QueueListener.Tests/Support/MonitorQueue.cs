using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// An <see cref="ILogEventQueue"/> as a user would write one, from its documented contract alone: a list under one
/// monitor, blocking when full, with markers kept in their place among the events.
/// </summary>
sealed class MonitorQueue(int capacity) : ILogEventQueue
{
    readonly object _sync = new();

    /// <summary>Events and markers in order; a marker never counts against the capacity.</summary>
    readonly LinkedList<object> _items = [];
    int _events;

    public int Capacity => capacity;

    public int Count
    {
        get
        {
            lock (_sync) return _events;
        }
    }

    public long DroppedCount => 0;

    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(() =>
        {
            lock (_sync) Monitor.PulseAll(_sync);
        });
        lock (_sync)
        {
            while (_events >= capacity)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_sync);
            }

            _items.AddLast(logEvent);
            _events++;
            Monitor.PulseAll(_sync);
            return true;
        }
    }

    public void EnqueueMarker(QueueMarker marker)
    {
        lock (_sync)
        {
            _items.AddLast(marker);
            Monitor.PulseAll(_sync);
        }
    }

    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        lock (_sync)
        {
            marker = null;
            if (_items.First?.Value is QueueMarker first)
            {
                _items.RemoveFirst();
                marker = first;
                return 0;
            }

            var count = 0;
            while (count < batch.Length && _items.First?.Value is LogEvent logEvent)
            {
                _items.RemoveFirst();
                batch[count++] = logEvent;
            }

            _events -= count;
            if (count > 0) Monitor.PulseAll(_sync);
            return count;
        }
    }

    public bool WaitToDequeue(TimeSpan timeout)
    {
        lock (_sync)
        {
            if (_items.Count == 0) Monitor.Wait(_sync, timeout);
            return _items.Count > 0;
        }
    }
}
