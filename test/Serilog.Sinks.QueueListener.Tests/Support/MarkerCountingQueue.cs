using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's <see cref="ILogEventQueue"/> over a <see cref="LogEventQueue"/>: delegates everything, and counts the
/// markers enqueued, so a test can see how many a flush or a stop sends.
/// </summary>
sealed class MarkerCountingQueue(LogEventQueue inner) : ILogEventQueue, ISetLoggingFailureListener
{
    int _markerCount;

    public int MarkerCount => Volatile.Read(ref _markerCount);

    public int Capacity => inner.Capacity;

    public int Count => inner.Count;

    public long DroppedCount => inner.DroppedCount;

    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken) => inner.Enqueue(logEvent, cancellationToken);

    public void EnqueueMarker(QueueMarker marker)
    {
        Interlocked.Increment(ref _markerCount);
        inner.EnqueueMarker(marker);
    }

    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker) => inner.TryDequeue(batch, out marker);

    public bool WaitToDequeue(TimeSpan timeout) => inner.WaitToDequeue(timeout);

    public void SetFailureListener(ILoggingFailureListener failureListener) => inner.SetFailureListener(failureListener);
}
