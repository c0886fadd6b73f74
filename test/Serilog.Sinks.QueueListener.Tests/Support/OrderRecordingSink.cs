using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Writes "name sequence" into a shared call log, so a test can see the order in which sinks were called.
/// </summary>
class OrderRecordingSink(string name, List<string> log) : ILogEventSink
{
    public void Emit(LogEvent logEvent)
    {
        lock (log) log.Add($"{name} {Some.SequenceOf(logEvent)}");
    }
}
