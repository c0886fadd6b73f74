using System.Diagnostics;
using System.Runtime.InteropServices;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Logs one event at a time after an idle gap (<see cref="CompareOptions.LatencyGap"/>), and measures how long each
/// takes to reach the sink. With the default gap of a millisecond the listener is napping, not asleep (it sleeps
/// after 20 ms without work): an event that lands in its watch after a nap arrives within microseconds, one that
/// misses it waits out the next nap.
/// </summary>
static class WakeUpLatencyProbe
{
    const int WarmUpSamples = 50;
    static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(5);

    public static LatencyResult Run(CompareOptions options)
    {
        using var sink = new StampingSink();
        using var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Queue(a => a.Sink(sink), options.BufferSize, QueueFullMode.Block)
            .CreateLogger();
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Wake up"), []);

        var samples = new List<double>(options.LatencySamples);
        var lost = 0;
        var gap = Stopwatch.StartNew();
        for (var i = 0; i < WarmUpSamples + options.LatencySamples; i++)
        {
            Thread.Sleep(options.LatencyGap);
            sink.MarkSent();
            logger.Write(logEvent);
            var ticks = sink.WaitForArrival(ArrivalTimeout);
            if (i < WarmUpSamples) continue;
            if (ticks is { } elapsed)
            {
                samples.Add(elapsed * 1e6 / Stopwatch.Frequency);
            }
            else
            {
                lost++;
            }
        }

        var meanGap = gap.Elapsed.TotalMilliseconds / (WarmUpSamples + options.LatencySamples);
        samples.Sort();
        return new LatencyResult(samples.Count, lost, Percentile(samples, 50), Percentile(samples, 99),
            Percentile(samples, 99.9), samples.Count == 0 ? double.NaN : samples[^1], meanGap);
    }

    /// <summary>NaN when every sample was lost.</summary>
    static double Percentile(List<double> sorted, double percentile) =>
        sorted.Count == 0 ? double.NaN : Measurement.Percentile.Of<double>(CollectionsMarshal.AsSpan(sorted), percentile);
}
