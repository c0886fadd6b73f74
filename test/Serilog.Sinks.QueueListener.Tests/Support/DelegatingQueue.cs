using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's <see cref="ILogEventQueue"/> over a real <see cref="LogEventQueue"/>: every member delegates to it, and
/// a subclass overrides the one member it breaks.
/// </summary>
abstract class DelegatingQueue(LogEventQueue inner) : ILogEventQueue, ISetLoggingFailureListener
{
    public virtual int Capacity => inner.Capacity;

    public virtual int Count => inner.Count;

    public long DroppedCount => inner.DroppedCount;

    public virtual bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken) => inner.Enqueue(logEvent, cancellationToken);

    public virtual void EnqueueMarker(QueueMarker marker) => inner.EnqueueMarker(marker);

    public virtual int TryDequeue(LogEvent[] batch, out QueueMarker? marker) => inner.TryDequeue(batch, out marker);

    public virtual bool WaitToDequeue(TimeSpan timeout) => inner.WaitToDequeue(timeout);

    public void SetFailureListener(ILoggingFailureListener failureListener) => inner.SetFailureListener(failureListener);
}
