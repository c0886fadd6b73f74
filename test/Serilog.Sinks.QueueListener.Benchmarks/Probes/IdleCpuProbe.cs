using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Measures what an idle listener costs: a listener that spins, or wakes on a timer, shows here.
/// </summary>
static class IdleCpuProbe
{
    static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(100);

    public static IdleCpuResult Run(CompareOptions options)
    {
        var baseline = MeasureIdle(options.IdleWindow);

        using var tally = new Tally();
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new CountingSink(tally)), options.BufferSize, QueueFullMode.Block)
            .CreateLogger();

        // One event first, so that the listener has run, spun and parked, as after a burst of work.
        tally.Reset(1, producers: 1);
        logger.Information("Wake the listener once");
        tally.ProducerDone();
        tally.Wait(TimeSpan.FromSeconds(5));
        Thread.Sleep(SettleTime);

        var withListener = MeasureIdle(options.IdleWindow);
        return new IdleCpuResult(options.IdleWindow.TotalSeconds, baseline, withListener);
    }

    static double MeasureIdle(TimeSpan window)
    {
        var before = ProcessCpu.Now();
        var start = DateTime.UtcNow;
        Thread.Sleep(window);
        var elapsed = DateTime.UtcNow - start;
        return 100 * (ProcessCpu.Now() - before) / elapsed;
    }
}
