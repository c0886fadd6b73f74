using System.Diagnostics;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Takes <c>delay</c> over each event (busy-waiting, so that the delay does not hang on the timer's resolution) and
/// notes, on a clock the test starts, when it returned from the first: a sink that is only behind, never stuck.
/// </summary>
class BehindSink(TimeSpan delay, Stopwatch clock) : CollectingSink
{
    long _firstReturnTicks = -1;

    /// <summary>When the first event's <c>Emit</c> returned, on the test's clock; <see langword="null"/> before.</summary>
    public TimeSpan? FirstReturned => Interlocked.Read(ref _firstReturnTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    public override void Emit(LogEvent logEvent)
    {
        var started = Stopwatch.StartNew();
        while (started.Elapsed < delay) Thread.SpinWait(100);
        base.Emit(logEvent);
        Interlocked.CompareExchange(ref _firstReturnTicks, clock.Elapsed.Ticks, -1);
    }
}
