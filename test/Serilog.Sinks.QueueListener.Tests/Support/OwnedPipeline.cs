using Serilog.Core;
using Serilog.Sinks.Queue;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// The set-up most reliability tests share: a queue sink that owns a listener over the queue, writing to one sink,
/// with every failure collected. Nothing is started: whether and when the listener starts is the test's to show.
/// </summary>
/// <typeparam name="TQueue">The queue's own type, so that a test can still reach what its queue offers.</typeparam>
sealed record OwnedPipeline<TQueue>(TQueue Queue, Listener Listener, QueueSink Sink, CollectingFailureListener Failures)
    where TQueue : ILogEventQueue;

/// <summary>Builds an <see cref="OwnedPipeline{TQueue}"/>.</summary>
static class OwnedPipeline
{
    /// <param name="queue">The queue.</param>
    /// <param name="written">The sink the listener writes to.</param>
    /// <param name="shutdownTimeout">How long the sink's disposal waits for the drain; <see langword="null"/> for no
    /// limit.</param>
    public static OwnedPipeline<TQueue> Over<TQueue>(TQueue queue, ILogEventSink written, TimeSpan? shutdownTimeout = null)
        where TQueue : ILogEventQueue
    {
        var failures = new CollectingFailureListener();
        var listener = new Listener(queue, written);
        var sink = new QueueSink(queue, listener, shutdownTimeout);
        sink.SetFailureListener(failures);
        return new OwnedPipeline<TQueue>(queue, listener, sink, failures);
    }
}
