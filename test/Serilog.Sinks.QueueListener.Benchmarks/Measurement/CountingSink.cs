using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The cheapest sink that still proves delivery: one interlocked increment, and a signal at the expected count.
/// </summary>
sealed class CountingSink(Tally tally) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => tally.AddDelivered(1);
}
