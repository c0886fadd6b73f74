using System.Diagnostics;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The <c>latency</c> command: only the latency-at-fixed-rates benchmark, which <c>compare</c> also runs, with its
/// targets and its reports.
/// </summary>
static class LatencyHarness
{
    public const string FilePrefix = "latency";

    public static string MarkdownFileName(string prefix) => $"{prefix}.md";

    public static string CsvFileName(string prefix) => $"{prefix}.csv";

    public static string ChartFileName(string prefix, EndSink endSink) => $"{prefix}-{endSink}.svg".ToLowerInvariant();

    public static LatencyReport Run(CompareOptions options, TextWriter output)
    {
        if (CompareHarness.IsDebugBuild()) output.WriteLine("WARNING: a Debug build; figures are only meaningful with -c Release.");

        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.ReadLoadAverage();
        var clock = Stopwatch.StartNew();

        output.WriteLine($"Latency at fixed rates{(options.IsQuick ? " (quick)" : "")}:");
        var results = PacedLatencyBenchmark.Run(options, output);
        var report = new LatencyReport(options, MachineInfo.Current(), startedAt, clock.Elapsed, results,
            TargetEvaluator.EvaluatePacedLatency(results))
        {
            LoadAverage = $"{loadAtStart} at the start, {MachineInfo.ReadLoadAverage()} at the end",
        };

        output.WriteLine();
        output.WriteLine($"Machine: {report.Machine}; load average (1, 5, 15 min) {report.LoadAverage}");
        output.WriteLine();
        ConsoleReportWriter.WritePacedLatency(results, output);
        output.WriteLine();
        ConsoleReportWriter.WriteTargets(report.Targets, output);

        report = report with { Files = WriteFiles(report) };
        output.WriteLine();
        foreach (var file in report.Files) output.WriteLine($"Wrote {file}");
        return report;
    }

    public static List<string> WriteFiles(LatencyReport report)
    {
        var directory = Path.GetFullPath(report.Options.OutputDirectory);
        Directory.CreateDirectory(directory);

        var markdown = Path.Combine(directory, MarkdownFileName(FilePrefix));
        System.IO.File.WriteAllText(markdown, PacedLatencyMarkdown.Write(report));
        return [markdown, .. WriteCsvAndCharts(report.Results, directory, FilePrefix, report.Machine, report.StartedAt)];
    }

    /// <summary>The CSV and a chart per end sink, named after <paramref name="prefix"/>; also what
    /// <c>compare</c> writes of this benchmark.</summary>
    public static List<string> WriteCsvAndCharts(IReadOnlyList<PacedLatencyResult> results, string directory,
        string prefix, MachineInfo machine, DateTimeOffset startedAt)
    {
        var csv = Path.Combine(directory, CsvFileName(prefix));
        System.IO.File.WriteAllText(csv, CsvReportWriter.WritePacedLatency(results));

        var files = new List<string> { csv };
        foreach (var endSink in Enum.GetValues<EndSink>())
        {
            var chart = Path.Combine(directory, ChartFileName(prefix, endSink));
            using (var stream = System.IO.File.Create(chart))
            {
                PacedLatencyChartWriter.Write(results, endSink, machine, startedAt, stream);
            }

            files.Add(chart);
        }

        return files;
    }
}
