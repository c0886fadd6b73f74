using System.Diagnostics;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Parsing;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks.Durable;

/// <summary>
/// The <c>durable</c> command: what the spool costs. First the encoding alone, one thread (compact JSON as the
/// Redis transport writes it, against the spool's binary record written into a spool with no listener), with the
/// bytes per event of each; then saturated throughput into a counting sink (<see cref="DurableThroughput"/>); then
/// caller latency at fixed rates into a File sink (<see cref="DurableLatency"/>). Prints Markdown tables and writes
/// them to durable.md in the output folder.
/// </summary>
static class DurableHarness
{
    public const string MarkdownFileName = "durable.md";

    public const string TemplateText = "Event {Sequence} from {Producer} took {Elapsed} ms";

    static readonly MessageTemplate Template = new MessageTemplateParser().Parse(TemplateText);

    public static void Run(CompareOptions options, TextWriter output, bool encodingOnly = false)
    {
        var quick = options.IsQuick;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"# Durable queue ({(quick ? "quick" : "full")} run, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {MachineInfo.Current()})");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Load average (1, 5, 15 min) at the start: {MachineInfo.ReadLoadAverage()}.");
        report.AppendLine();

        var encoding = new StringBuilder();
        encoding.AppendLine("| Encoding, one thread | ns/event | bytes/event |");
        encoding.AppendLine("|---|---:|---:|");
        var encodings = quick ? 50_000 : 1_000_000;
        var (clefNs, clefBytes) = Clef(encodings);
        encoding.AppendLine(CultureInfo.InvariantCulture, $"| compact JSON (CLEF) into a reused writer | {clefNs:F0} | {clefBytes:F1} |");
        var (spoolNs, spoolBytes) = SpoolEnqueue(encodings);
        encoding.AppendLine(CultureInfo.InvariantCulture, $"| spool record, enqueued (encode, copy, CRC-32C, commit) | {spoolNs:F0} | {spoolBytes:F1} |");
        Section(encoding.ToString());
        if (encodingOnly) return;

        var folder = Path.Combine(Path.GetTempPath(), "Serilog.Sinks.QueueListener.Benchmarks", "durable-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            Section(DurableThroughput.Run(quick, folder));
            Section(DurableLatency.Run(options, folder, output));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Load average at the end: {MachineInfo.ReadLoadAverage()}.");
        var directory = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, MarkdownFileName);
        System.IO.File.WriteAllText(file, report.ToString());
        output.WriteLine($"Wrote {file}");

        void Section(string table)
        {
            output.WriteLine(table);
            report.AppendLine(table);
        }
    }

    public static LogEvent SampleEvent(int sequence) => new(DateTimeOffset.Now, LogEventLevel.Information, null, Template,
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

    static string TemporarySpool() =>
        Path.Combine(Path.GetTempPath(), "Serilog.Sinks.QueueListener.Benchmarks", "spool-" + Guid.NewGuid().ToString("n"));
}
