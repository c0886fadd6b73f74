using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Durable;

/// <summary>
/// Saturated throughput through <c>WriteTo.Queue</c> into a counting sink: the in-memory queue against the spool
/// under each flush policy, events made by <c>logger.Information(template, ...)</c> and prebuilt events written with
/// <c>logger.Write(event)</c>, one and two producers, with the bytes each event caused to be written to storage.
/// </summary>
static class DurableThroughput
{
    /// <summary>The spool's limit in the saturated runs: large enough that producers never wait for room, so that
    /// what is measured is the spool's cost, not the listener's pace freeing segments.</summary>
    const long SpoolSizeLimit = 1024L * 1024 * 1024;

    record Configuration(string Label, bool Spool, TimeSpan? FlushToDisk);

    static readonly Configuration[] Configurations =
    [
        new("in-memory queue", false, null),
        new("spool, no flush", true, null),
        new("spool, group commit every 100 ms", true, TimeSpan.FromMilliseconds(100)),
        new("spool, flush every event", true, TimeSpan.Zero),
    ];

    public static string Run(bool quick, string folder)
    {
        var table = new StringBuilder();
        table.AppendLine("| Saturated, into a counting sink | call | producers | events | events/s delivered | disk bytes/event |");
        table.AppendLine("|---|---|---:|---:|---:|---:|");
        var events = quick ? 100_000 : 2_000_000;
        foreach (var shape in new[] { CallShape.MessageTemplate, CallShape.PrebuiltEvent })
        {
            foreach (var producers in new[] { 1, 2 })
            {
                foreach (var configuration in Configurations)
                {
                    var count = configuration.FlushToDisk == TimeSpan.Zero ? (quick ? 2_000 : 20_000) : events;
                    var spool = configuration.Spool ? Path.Combine(folder, "spool-" + Guid.NewGuid().ToString("n")) : null;
                    try
                    {
                        var (rate, diskBytes) = Saturated(shape, producers, count, spool, configuration.FlushToDisk);
                        var disk = diskBytes is { } bytes && spool is not null ? bytes.ToString("N0", CultureInfo.InvariantCulture) : "";
                        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                            $"| {configuration.Label} | {Call(shape)} | {producers} | {count:N0} | {rate:N0} | {disk} |"));
                    }
                    finally
                    {
                        if (spool is not null) Directory.Delete(spool, recursive: true);
                    }
                }
            }
        }

        return table.ToString();
    }

    static string Call(CallShape shape) => shape == CallShape.MessageTemplate ? "Information(template, ...)" : "Write(event)";

    /// <returns>Events per second delivered, and the bytes written to storage per event (the spool's files, with the
    /// page cache's write-back the process caused).</returns>
    static (double Rate, double? DiskBytes) Saturated(CallShape shape, int producers, int events, string? spool, TimeSpan? flushToDisk)
    {
        using var counter = new DeliveryCounter();
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(counter), spool: spool, spoolSizeLimit: SpoolSizeLimit, flushToDisk: flushToDisk)
            .CreateLogger();

        // A pass to compile the paths at their final tier, not measured (short when each event waits for the disk).
        Produce(logger, shape, 1, flushToDisk == TimeSpan.Zero ? events / 10 : Math.Min(events, 50_000), counter);
        var writtenBefore = ProcessIo.WriteBytes();
        var stopwatch = Stopwatch.StartNew();
        Produce(logger, shape, producers, events, counter);
        var rate = events / stopwatch.Elapsed.TotalSeconds;
        var writtenAfter = ProcessIo.WriteBytes();
        return (rate, writtenAfter - writtenBefore is { } written ? written / (double)events : null);
    }

    static void Produce(ILogger logger, CallShape shape, int producers, int events, DeliveryCounter counter)
    {
        counter.ExpectMore(events);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            var prebuilt = DurableHarness.SampleEvent(p);
            for (var i = 0; i < events / producers; i++)
            {
                if (shape == CallShape.PrebuiltEvent) logger.Write(prebuilt);
                else logger.Information(DurableHarness.TemplateText, i, p, 12.5);
            }
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        if (!counter.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("The events were not all delivered within 5 minutes.");
    }
}
