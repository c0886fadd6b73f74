using System.Diagnostics.Metrics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The <see cref="QueueListener.MeterName"/> meter. Every instrument but one is observable: it reads counters the
/// queue and the listener keep anyway, only when a collector asks, so a process nobody measures pays nothing per
/// event. The exception, the latency histogram, is recorded by the listener thread behind an
/// <see cref="Instrument.Enabled"/> check. Each measurement is tagged <c>queue.name</c> with
/// <see cref="QueueListener.Name"/>.
/// </summary>
static class QueueMetrics
{
    const string NameKey = "queue.name";
    const string FullModeKey = "queue.full_mode";

    static readonly Meter Meter = new(QueueListener.MeterName, typeof(QueueMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>The running listeners, added as they start and removed as their thread ends (or at disposal).
    /// Read by collections on whatever thread the collector uses; guarded by its own monitor, which is never held
    /// while a listener's members are read.</summary>
    static readonly HashSet<QueueListener> Running = [];

    /// <summary>Seconds from an event's timestamp to the listener having written it to every sink.</summary>
    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("serilog.queue.latency", "s",
        "Time from an event's timestamp to the listener having written it to every sink.");

    static QueueMetrics()
    {
        Meter.CreateObservableCounter("serilog.queue.enqueued", () => Observe<long>(EnqueuedCount), "{event}",
            "Events added to the queue (LogEventQueue only).");
        Meter.CreateObservableCounter("serilog.queue.dropped", ObserveDropped, "{event}",
            "Events the queue dropped because it was full.");
        Meter.CreateObservableCounter("serilog.queue.handled", () => Observe<long>(l => l.HandledCount), "{event}",
            "Events the listener has written to its sinks.");
        Meter.CreateObservableCounter("serilog.queue.sink_failures", () => Observe<long>(l => l.SinkFailureCount), "{failure}",
            "Times a sink failed on an event.");
        Meter.CreateObservableGauge("serilog.queue.held", () => Observe<int>(l => l.Holds ? l.HeldCount : null), "{event}",
            "Events held until a trigger (WriteTo.Queue hold only).");
        Meter.CreateObservableCounter("serilog.queue.let_go", () => Observe<long>(l => l.Holds ? l.LetGoCount : null), "{event}",
            "Held events let go without being written: past the limit, past the age limit, or at disposal (WriteTo.Queue hold only).");
        Meter.CreateObservableGauge("serilog.queue.depth", () => Observe<int>(l => l.Queue.Count), "{event}",
            "Events waiting in the queue.");
        Meter.CreateObservableGauge("serilog.queue.capacity", () => Observe<int>(l => l.Queue.Capacity), "{event}",
            "The most events the queue holds.");
    }

    public static void Register(QueueListener listener)
    {
        lock (Running) Running.Add(listener);
    }

    public static void Unregister(QueueListener listener)
    {
        // Called by the listener thread as its run ends, while a collection may hold the lock: an interrupt that lands
        // in that wait must not end the thread with the exception, which would take the process down. It only ever
        // cuts the listener's own wait short, and this is none, so it is dropped.
        InterruptDeferral.Enter(Running);
        try
        {
            Running.Remove(listener);
        }
        finally
        {
            Monitor.Exit(Running);
        }
    }

    public static KeyValuePair<string, object?> TagFor(string name) => new(NameKey, name);

    /// <summary>Called by the listener thread after each event, only while <see cref="Latency"/> is enabled.</summary>
    public static void RecordLatency(DateTimeOffset timestamp, KeyValuePair<string, object?> nameTag)
    {
        var seconds = (DateTimeOffset.UtcNow - timestamp).TotalSeconds;

        // Wall clocks can step back between the two readings; a negative wait is noise, not a measurement.
        Latency.Record(Math.Max(seconds, 0), nameTag);
    }

    static QueueListener[] Snapshot()
    {
        lock (Running) return Running.ToArray();
    }

    static IEnumerable<Measurement<T>> Observe<T>(Func<QueueListener, T?> read)
        where T : struct
    {
        foreach (var listener in Snapshot())
        {
            if (TryRead(listener, read) is { } value) yield return new Measurement<T>(value, listener.NameTag);
        }
    }

    /// <summary>
    /// Read one listener's measurement. A user's queue may throw from <see cref="ILogEventQueue.Count"/>,
    /// <see cref="ILogEventQueue.Capacity"/> or <see cref="ILogEventQueue.DroppedCount"/>: it is then left out of this
    /// collection, and reported once. Thrown, the exception would end the collection of the instrument for every queue
    /// after it, and make the collector's whole collection throw.
    /// </summary>
    static T? TryRead<T>(QueueListener listener, Func<QueueListener, T?> read)
        where T : struct
    {
        try
        {
            return read(listener);
        }
        catch (Exception ex)
        {
            listener.ReportMetricsFailure(ex);
            return null;
        }
    }

    static long? EnqueuedCount(QueueListener listener) => listener.BuiltInQueue?.EnqueuedCount;

    static IEnumerable<Measurement<long>> ObserveDropped()
    {
        foreach (var listener in Snapshot())
        {
            if (TryRead(listener, static l => (long?)l.Queue.DroppedCount) is not { } dropped) continue;
            yield return listener.BuiltInQueue is { } known
                ? new Measurement<long>(dropped, listener.NameTag, new(FullModeKey, known.FullMode.ToString()))
                : new Measurement<long>(dropped, listener.NameTag);
        }
    }
}
