using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Bdn;

/// <summary>
/// A sink that does nothing, so that the benchmarks measure only the path to it.
/// </summary>
sealed class NoOpSink : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
    }
}
