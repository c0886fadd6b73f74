using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// The end of a paced pipeline: notes when each event arrives, passes it on to the real sink, if any, then counts it.
/// The event says which call it came from by its <c>OrderId</c>, which is the index of its send time; a negative one
/// marks an untimed warm-up event.
/// </summary>
/// <remarks>
/// Called by the listener (or worker) thread of a queued pipeline, by the producers themselves in the synchronous
/// one, so possibly by two threads at once: each call writes only its own event's slot of
/// <see cref="ReceivedAt"/>, and the producers' slots lie in separate blocks, far apart.
/// </remarks>
sealed class DeliveryStampingSink(Tally tally, long[] receivedAt, ILogEventSink? next) : ILogEventSink
{
    public const string IndexProperty = "OrderId";

    long _warmUpDelivered;

    /// <summary>When each event arrived, in <see cref="Stopwatch"/> ticks, by index; zero for one that did not.
    /// Read once the tally is complete and the pipeline disposed.</summary>
    public long[] ReceivedAt => receivedAt;

    public long WarmUpDelivered => Interlocked.Read(ref _warmUpDelivered);

    public void Emit(LogEvent logEvent)
    {
        // Stamped before the real sink runs: the time it takes is the sink's, the same behind any pipeline.
        var now = Stopwatch.GetTimestamp();
        next?.Emit(logEvent);

        var index = logEvent.Properties.TryGetValue(IndexProperty, out var value) && value is ScalarValue { Value: int i }
            ? i
            : -1;
        if (index < 0)
        {
            Interlocked.Increment(ref _warmUpDelivered);
            return;
        }

        receivedAt[index] = now;
        tally.AddDelivered(1);
    }
}
