using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// A sink that burns a fixed amount of CPU per event, so that producers outpace it and the queue stays full.
/// </summary>
sealed class SlowSink(Tally tally, int spinIterations) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        Thread.SpinWait(spinIterations);
        tally.AddDelivered(1);
    }
}
