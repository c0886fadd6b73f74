using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A queue that records, at each acknowledgement, how many events it had handed to the listener, and what the sink
/// had received by then; it can be told to throw when acknowledged.
/// </summary>
sealed class AcknowledgingQueue(LogEventQueue inner, CollectingSink sink) : DelegatingQueue(inner), IAcknowledgingLogEventQueue
{
    readonly object _sync = new();
    readonly List<(int Dequeued, int Received)> _acknowledgements = [];
    int _dequeued;

    public bool Throw { get; set; }

    public IReadOnlyList<(int Dequeued, int Received)> Acknowledgements
    {
        get
        {
            lock (_sync) return _acknowledgements.ToList();
        }
    }

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        var count = base.TryDequeue(batch, out marker);
        Interlocked.Add(ref _dequeued, count);
        return count;
    }

    public void Acknowledge()
    {
        lock (_sync) _acknowledgements.Add((Volatile.Read(ref _dequeued), sink.Events.Count));
        if (Throw) throw new InvalidOperationException("The acknowledgement failed, as it was told to.");
    }
}
