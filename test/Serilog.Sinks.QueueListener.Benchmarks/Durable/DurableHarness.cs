using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Parsing;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Benchmarks.Durable;

/// <summary>
/// The <c>durable</c> command: what the spool costs. First the encoding alone, one thread (compact JSON as the
/// Redis transport writes it, against the spool's binary record written into a spool with no listener), with the
/// bytes per event of each; then saturated throughput through <c>WriteTo.Queue</c> into a counting sink, one and two
/// producers, the in-memory queue against the spool under each flush policy. Prints a Markdown table and writes it
/// to durable.md in the output folder.
/// </summary>
static class DurableHarness
{
    public const string MarkdownFileName = "durable.md";

    static readonly MessageTemplate Template = new MessageTemplateParser().Parse("Event {Sequence} from {Producer} took {Elapsed} ms");

    public static void Run(CompareOptions options, TextWriter output)
    {
        var quick = options.IsQuick;
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"# Durable queue ({(quick ? "quick" : "full")} run, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
        table.AppendLine();
        table.AppendLine("| Encoding, one thread | ns/event | bytes/event |");
        table.AppendLine("|---|---:|---:|");
        var encodings = quick ? 50_000 : 1_000_000;
        var (clefNs, clefBytes) = Clef(encodings);
        table.AppendLine(CultureInfo.InvariantCulture, $"| compact JSON (CLEF) into a reused writer | {clefNs:F0} | {clefBytes:F1} |");
        var (spoolNs, spoolBytes) = SpoolEnqueue(encodings);
        table.AppendLine(CultureInfo.InvariantCulture, $"| spool record, enqueued (encode, copy, CRC-32C, commit) | {spoolNs:F0} | {spoolBytes:F1} |");
        output.Write(table);
        table.AppendLine();

        var throughput = new StringBuilder();
        throughput.AppendLine("| Saturated, into a counting sink | producers | events | events/s delivered |");
        throughput.AppendLine("|---|---:|---:|---:|");
        var events = quick ? 100_000 : 2_000_000;
        foreach (var producers in new[] { 1, 2 })
        {
            throughput.AppendLine(Row("in-memory queue", producers, events, spool: false, null));
            throughput.AppendLine(Row("spool, no flush", producers, events, spool: true, null));
            throughput.AppendLine(Row("spool, group commit every 100 ms", producers, events, spool: true, TimeSpan.FromMilliseconds(100)));
            throughput.AppendLine(Row("spool, flush every event", producers, quick ? 2_000 : 20_000, spool: true, TimeSpan.Zero));
        }

        output.Write(throughput);
        table.Append(throughput);
        var directory = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, MarkdownFileName);
        System.IO.File.WriteAllText(file, table.ToString());
        output.WriteLine($"Wrote {file}");
    }

    static LogEvent SampleEvent(int sequence) => new(DateTimeOffset.Now, LogEventLevel.Information, null, Template,
    [
        new LogEventProperty("Sequence", new ScalarValue(sequence)),
        new LogEventProperty("Producer", new ScalarValue(1)),
        new LogEventProperty("Elapsed", new ScalarValue(12.5)),
    ]);

    static (double Ns, double Bytes) Clef(int count)
    {
        var formatter = new CompactJsonFormatter();
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var logEvent = SampleEvent(123456);
        formatter.Format(logEvent, writer);
        var bytes = Encoding.UTF8.GetByteCount(writer.ToString());
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            writer.GetStringBuilder().Clear();
            formatter.Format(logEvent, writer);
        }

        return (stopwatch.Elapsed.TotalNanoseconds / count, bytes);
    }

    static (double Ns, double Bytes) SpoolEnqueue(int count)
    {
        var spool = TemporarySpool();
        try
        {
            var logEvent = SampleEvent(123456);
            double ns;
            using (var queue = new DurableLogEventQueue(spool, 4L * 1024 * 1024 * 1024))
            {
                for (var i = 0; i < 10_000; i++) queue.Enqueue(logEvent, CancellationToken.None);
                var stopwatch = Stopwatch.StartNew();
                for (var i = 0; i < count; i++) queue.Enqueue(logEvent, CancellationToken.None);
                ns = stopwatch.Elapsed.TotalNanoseconds / count;
            }

            return (ns, UsedBytes(spool) / (double)(count + 10_000));
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>The bytes of the segments' records: each file up to its last non-zero byte, less its header.</summary>
    static long UsedBytes(string spool)
    {
        long used = 0;
        foreach (var file in Directory.GetFiles(spool, "*.seg"))
        {
            var bytes = System.IO.File.ReadAllBytes(file);
            var last = bytes.Length - 1;
            while (last >= 0 && bytes[last] == 0) last--;
            used += Math.Max(0, last + 1 - 64);
        }

        return used;
    }

    static string Row(string label, int producers, int events, bool spool, TimeSpan? flushToDisk)
    {
        var folder = spool ? TemporarySpool() : null;
        try
        {
            var rate = Saturated(producers, events, folder, flushToDisk);
            return string.Create(CultureInfo.InvariantCulture, $"| {label} | {producers} | {events:N0} | {rate:N0} |");
        }
        finally
        {
            if (folder is not null) Directory.Delete(folder, recursive: true);
        }
    }

    static double Saturated(int producers, int events, string? spool, TimeSpan? flushToDisk)
    {
        using var counter = new DeliveryCounter();
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(counter), spool: spool, spoolSizeLimit: 1024L * 1024 * 1024, flushToDisk: flushToDisk)
            .CreateLogger();

        // A pass to compile the paths at their final tier, not measured.
        Produce(logger, 1, Math.Min(events, 50_000), counter);
        var stopwatch = Stopwatch.StartNew();
        Produce(logger, producers, events, counter);
        return events / stopwatch.Elapsed.TotalSeconds;
    }

    static void Produce(ILogger logger, int producers, int events, DeliveryCounter counter)
    {
        counter.ExpectMore(events);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (var i = 0; i < events / producers; i++) logger.Information("Event {Sequence} from {Producer} took {Elapsed} ms", i, p, 12.5);
        })).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        if (!counter.Wait(TimeSpan.FromMinutes(5))) throw new TimeoutException("The events were not all delivered within 5 minutes.");
    }

    static string TemporarySpool() =>
        Path.Combine(Path.GetTempPath(), "Serilog.Sinks.QueueListener.Benchmarks", "spool-" + Guid.NewGuid().ToString("n"));
}
