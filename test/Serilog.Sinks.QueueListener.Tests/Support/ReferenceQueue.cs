using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// The rules of <see cref="LogEventQueue"/> written as plainly as possible, over a list, for model-based tests:
/// single-threaded, slow, and obviously right. Markers sit in the list among the events and take no room; a full
/// queue rejects the new event (DropIncoming), evicts the oldest event (DropOldest), or would wait (Block).
/// </summary>
sealed class ReferenceQueue(int capacity, QueueFullMode fullMode)
{
    readonly List<object> _items = [];
    readonly List<LogEvent> _dropped = [];

    public int Count => _items.Count(item => item is LogEvent);

    public long DroppedCount => _dropped.Count;

    /// <summary>The dropped events, in the order they were dropped.</summary>
    public IReadOnlyList<LogEvent> Dropped => _dropped;

    /// <returns><see langword="true"/> when added, <see langword="false"/> when the incoming event was dropped,
    /// <see langword="null"/> when a Block-mode producer would have to wait.</returns>
    public bool? Enqueue(LogEvent logEvent)
    {
        if (Count < capacity)
        {
            _items.Add(logEvent);
            return true;
        }

        switch (fullMode)
        {
            case QueueFullMode.Block:
                return null;
            case QueueFullMode.DropIncoming:
                _dropped.Add(logEvent);
                return false;
            default:
                var oldest = _items.FindIndex(item => item is LogEvent);
                _dropped.Add((LogEvent)_items[oldest]);
                _items.RemoveAt(oldest);
                _items.Add(logEvent);
                return true;
        }
    }

    public void EnqueueMarker(QueueMarker marker) => _items.Add(marker);

    /// <summary>Take up to <paramref name="batchSize"/> events, stopping at a marker; or the marker at the head.</summary>
    public List<LogEvent> TryDequeue(int batchSize, out QueueMarker? marker)
    {
        marker = null;
        var taken = new List<LogEvent>();
        if (_items.Count > 0 && _items[0] is QueueMarker head)
        {
            marker = head;
            _items.RemoveAt(0);
            return taken;
        }

        while (taken.Count < batchSize && _items.Count > 0 && _items[0] is LogEvent logEvent)
        {
            taken.Add(logEvent);
            _items.RemoveAt(0);
        }

        return taken;
    }
}
