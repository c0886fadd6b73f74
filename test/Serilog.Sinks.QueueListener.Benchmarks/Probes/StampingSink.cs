using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Measures how long one event took from the call to the sink. Only one event is in flight at a time, so the send
/// time can travel in a field rather than in the event.
/// </summary>
sealed class StampingSink : ILogEventSink, IDisposable
{
    long _sentAt;
    long _lastElapsedTicks;
    readonly ManualResetEventSlim _arrived = new(false);

    /// <summary>Stamp the send time; call right before logging the event.</summary>
    public void MarkSent()
    {
        _arrived.Reset();
        Volatile.Write(ref _sentAt, Stopwatch.GetTimestamp());
    }

    /// <summary>Wait for the event and return how long it took, in <see cref="Stopwatch"/> ticks.</summary>
    public long? WaitForArrival(TimeSpan timeout) =>
        _arrived.Wait(timeout) ? Volatile.Read(ref _lastElapsedTicks) : null;

    public void Emit(LogEvent logEvent)
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastElapsedTicks, now - Volatile.Read(ref _sentAt));
        _arrived.Set();
    }

    public void Dispose() => _arrived.Dispose();
}
