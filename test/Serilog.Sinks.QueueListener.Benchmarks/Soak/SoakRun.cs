using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Benchmarks.Soak;

/// <summary>
/// <c>soak SECONDS</c>: producers log as fast as they can through <c>WriteTo.Queue</c> in Block mode into a real
/// file, then the run checks that every event is in the file, in order per producer, and that the managed heap is
/// where it started. A long run catches what short tests cannot: a slow leak, a lost wake-up under hours of load.
/// </summary>
static class SoakRun
{
    public static SoakResult Run(TimeSpan duration, int producers, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"soak-{Guid.NewGuid():n}.log");

        var heapBefore = SettledHeapBytes();
        var emitted = Produce(duration, producers, path);
        var heapAfter = SettledHeapBytes();

        var (found, outOfOrder) = Check(path, producers);
        System.IO.File.Delete(path);
        return new SoakResult(duration, producers, emitted, found, outOfOrder, heapBefore, heapAfter, path);
    }

    static long Produce(TimeSpan duration, int producers, string path)
    {
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.File(path, outputTemplate: "{Producer} {Sequence}{NewLine}", buffered: true,
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture),
                fullMode: QueueFullMode.Block)
            .CreateLogger();

        var counts = new long[producers];
        var deadline = DateTime.UtcNow + duration;
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            var sequence = 0L;
            while (DateTime.UtcNow < deadline)
            {
                // Check the clock once per thousand events: reading it is dearer than logging.
                for (var i = 0; i < 1000; i++) logger.Information("{Producer} {Sequence}", p, sequence++);
            }

            counts[p] = sequence;
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        logger.Dispose();
        return counts.Sum();
    }

    /// <summary>Count the lines, and the lines whose sequence is not the next one for their producer.</summary>
    static (long Found, long OutOfOrder) Check(string path, int producers)
    {
        var next = new long[producers];
        long found = 0, outOfOrder = 0;
        foreach (var line in System.IO.File.ReadLines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var producer = int.Parse(line.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture);
            var sequence = long.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
            if (sequence != next[producer]) outOfOrder++;
            next[producer] = sequence + 1;
            found++;
        }

        return (found, outOfOrder);
    }

    static long SettledHeapBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
