using System.Diagnostics;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Takes a fixed time over each event, busy-waiting rather than sleeping so that the delay does not depend on the
/// timer resolution, and then records it: a sink that is slow but never hangs.
/// </summary>
class SlowSink(TimeSpan delay) : CollectingSink
{
    public override void Emit(LogEvent logEvent)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < delay) Thread.SpinWait(100);
        base.Emit(logEvent);
    }
}
