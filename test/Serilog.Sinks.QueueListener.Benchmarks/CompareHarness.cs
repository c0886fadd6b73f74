using System.Diagnostics;
using System.Reflection;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The <c>compare</c> command: every configuration against its peers in one process and one run, then the
/// <c>WriteTo.Queue</c> probes, then latency at fixed rates, then the reports.
/// </summary>
static class CompareHarness
{
    public const string MarkdownFileName = "compare.md";
    public const string CsvFileName = "compare.csv";
    public const string EmitLatencyCsvFileName = "compare-emit-latency.csv";

    /// <summary>The start of the names of the latency-at-fixed-rates files: its CSV and charts.</summary>
    public const string PacedLatencyFilePrefix = "compare-latency";

    public static string ChartFileName(CallShape shape) => $"compare-{shape}.svg".ToLowerInvariant();

    public static CompareReport Run(CompareOptions options, TextWriter output)
    {
        if (IsDebugBuild()) output.WriteLine("WARNING: a Debug build; figures are only meaningful with -c Release.");

        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.ReadLoadAverage();
        var clock = Stopwatch.StartNew();

        output.WriteLine($"Throughput{(options.IsQuick ? " (quick)" : "")}:");
        var throughput = ThroughputBenchmark.Run(options, output);

        output.WriteLine("Wake-up latency...");
        var latency = WakeUpLatencyProbe.Run(options);
        output.WriteLine("Idle CPU...");
        var idle = IdleCpuProbe.Run(options);
        output.WriteLine("Saturation...");
        var saturation = SaturationProbe.Run(options);
        output.WriteLine("Emit latency...");
        var emitLatency = DropModeEmitLatencyProbe.Run(options);
        output.WriteLine("Latency at fixed rates:");
        var pacedLatency = PacedLatencyBenchmark.Run(options, output);

        var targets = TargetEvaluator.Evaluate(throughput, latency, idle, saturation, emitLatency, pacedLatency);
        var report = new CompareReport(options, MachineInfo.Current(), startedAt, clock.Elapsed, throughput, latency,
            idle, saturation, emitLatency, pacedLatency, targets)
        {
            LoadAverage = $"{loadAtStart} at the start, {MachineInfo.ReadLoadAverage()} at the end",
        };

        ConsoleReportWriter.Write(report, output);
        report = report with { Files = WriteFiles(report) };
        output.WriteLine();
        foreach (var file in report.Files) output.WriteLine($"Wrote {file}");
        return report;
    }

    static List<string> WriteFiles(CompareReport report)
    {
        var directory = Path.GetFullPath(report.Options.OutputDirectory);
        Directory.CreateDirectory(directory);

        var markdown = Path.Combine(directory, MarkdownFileName);
        System.IO.File.WriteAllText(markdown, MarkdownReportWriter.Write(report));
        var csv = Path.Combine(directory, CsvFileName);
        System.IO.File.WriteAllText(csv, CsvReportWriter.Write(report));
        var emitLatencyCsv = Path.Combine(directory, EmitLatencyCsvFileName);
        System.IO.File.WriteAllText(emitLatencyCsv, CsvReportWriter.WriteEmitLatency(report));

        var files = new List<string> { markdown, csv, emitLatencyCsv };
        foreach (var shape in Enum.GetValues<CallShape>())
        {
            var chart = Path.Combine(directory, ChartFileName(shape));
            using (var stream = System.IO.File.Create(chart))
            {
                SvgChartWriter.Write(report, shape, stream);
            }

            files.Add(chart);
        }

        files.AddRange(LatencyHarness.WriteCsvAndCharts(report.PacedLatency, directory, PacedLatencyFilePrefix,
            report.Machine, report.StartedAt));
        return files;
    }

    public static bool IsDebugBuild() =>
        typeof(CompareHarness).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false;
}
