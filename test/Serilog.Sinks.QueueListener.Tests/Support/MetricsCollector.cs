using System.Diagnostics.Metrics;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Listens to the queue meter and keeps the measurements tagged with one queue name.
/// </summary>
sealed class MetricsCollector : IDisposable
{
    readonly MeterListener _listener = new();
    readonly string _queueName;
    readonly List<Measured> _measurements = [];

    public record Measured(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public MetricsCollector(string queueName)
    {
        _queueName = queueName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Serilog.Sinks.Queue.QueueListener.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
    }

    /// <summary>Take a reading of the observable instruments.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public IReadOnlyList<Measured> All(string instrument)
    {
        lock (_measurements) return _measurements.Where(m => m.Instrument == instrument).ToList();
    }

    public double? Latest(string instrument)
    {
        var all = All(instrument);
        return all.Count == 0 ? null : all[^1].Value;
    }

    public void Clear()
    {
        lock (_measurements) _measurements.Clear();
    }

    public void Dispose() => _listener.Dispose();

    void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var byName = new Dictionary<string, object?>();
        foreach (var tag in tags) byName[tag.Key] = tag.Value;
        if (!Equals(byName.GetValueOrDefault("queue.name"), _queueName)) return;

        lock (_measurements) _measurements.Add(new Measured(instrument.Name, value, byName));
    }
}
