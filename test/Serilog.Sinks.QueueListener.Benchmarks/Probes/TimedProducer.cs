using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// One producer of <see cref="DropModeEmitLatencyProbe"/>: logs the same event a fixed number of times and keeps
/// the time of every single call, so that the tail shows one slow call rather than an average that hides it.
/// </summary>
sealed class TimedProducer(int calls)
{
    /// <summary>Allocated up front: an allocation in the timed loop could start a garbage collection, which would
    /// then be measured as the logger's.</summary>
    readonly long[] _ticks = new long[calls];

    /// <summary>The time each call took, in <see cref="Stopwatch"/> ticks, in call order.</summary>
    public ReadOnlySpan<long> Ticks => _ticks;

    /// <summary>The thread's context switches over the calls, where the system counts them.</summary>
    public ContextSwitches? Switches { get; private set; }

    public void Run(Logger logger, LogEvent logEvent)
    {
        var ticks = _ticks;
        var before = ContextSwitches.OfCurrentThread();
        for (var i = 0; i < ticks.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            logger.Write(logEvent);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }

        // Read once the loop is done: reading the file allocates, and may itself switch.
        var after = ContextSwitches.OfCurrentThread();
        Switches = after - before;
    }
}
