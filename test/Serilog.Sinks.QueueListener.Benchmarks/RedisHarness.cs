using System.Diagnostics;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The <c>redis</c> command: producer processes through a private Redis to a collector in this process, each
/// configuration at full speed and then paced, then the targets and the reports.
/// </summary>
static class RedisHarness
{
    public const string MarkdownFileName = "redis.md";

    /// <exception cref="InvalidOperationException">When redis-server is missing or a run fails.</exception>
    public static RedisReport Run(RedisOptions options, TextWriter output)
    {
        if (CompareHarness.IsDebugBuild()) output.WriteLine("WARNING: a Debug build; figures are only meaningful with -c Release.");

        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.ReadLoadAverage();
        var clock = Stopwatch.StartNew();

        using var server = PrivateRedisServer.Start();
        output.WriteLine($"Redis mode{(options.IsQuick ? " (quick)" : "")}: redis-server {server.Version} on 127.0.0.1:{server.Port}, {options.Producers} producer processes");

        var fullSpeed = RunEach(server, rate: null, options, output);
        var paced = RunEach(server, options.PacedRate, options, output);
        output.Write($"  {ProducerConfiguration.QueueBatched.DisplayName()}, each side alone... ");
        var stages = StagedRun.Run(server, options);
        output.WriteLine(RedisThroughputTable.Format(
            $"producers {stages.ProducersEventsPerSecond:N0} events/s, collector {stages.CollectorEventsPerSecond:N0} events/s"));

        var report = new RedisReport(options, MachineInfo.Current(), server.Version, startedAt, clock.Elapsed, fullSpeed,
            paced, stages, RedisTargets.Evaluate(fullSpeed, paced, stages))
        {
            LoadAverage = $"{loadAtStart} at the start, {MachineInfo.ReadLoadAverage()} at the end",
        };

        output.WriteLine();
        output.WriteLine($"Machine: {report.Machine}; load average (1, 5, 15 min) {report.LoadAverage}");
        output.WriteLine();
        output.WriteLine("Full speed:");
        ConsoleReportWriter.WriteTable(output, RedisThroughputTable.Headers, [.. fullSpeed.Select(RedisThroughputTable.Cells)]);
        output.WriteLine();
        output.WriteLine($"Paced, {options.PacedRate:N0} events/s:");
        ConsoleReportWriter.WriteTable(output, RedisPacedTable.Headers, [.. paced.Select(RedisPacedTable.Cells)]);
        output.WriteLine();
        output.WriteLine("Collector:");
        ConsoleReportWriter.WriteTable(output, RedisCollectorTable.Headers,
            [.. fullSpeed.Concat(paced).Where(r => r.Configuration.UsesRedis()).Select(RedisCollectorTable.Cells)]);
        output.WriteLine();
        output.WriteLine($"{ProducerConfiguration.QueueBatched.DisplayName()}, each side alone:");
        ConsoleReportWriter.WriteTable(output, RedisStagesTable.Headers, [.. RedisStagesTable.Rows(stages)]);
        output.WriteLine();
        ConsoleReportWriter.WriteTargets(report.Targets, output);

        var directory = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(directory);
        var markdown = Path.Combine(directory, MarkdownFileName);
        System.IO.File.WriteAllText(markdown, RedisMarkdown.Write(report with { Duration = clock.Elapsed }));
        output.WriteLine();
        output.WriteLine($"Wrote {markdown}");
        return report with { Files = [markdown] };
    }

    static List<RedisRunResult> RunEach(PrivateRedisServer server, int? rate, RedisOptions options, TextWriter output)
    {
        var results = new List<RedisRunResult>();
        foreach (var configuration in ProducerConfigurations.All)
        {
            output.Write($"  {configuration.DisplayName()}, {(rate is null ? "full speed" : $"{rate:N0} events/s")}... ");
            var result = RedisRun.Run(server, configuration, rate, options);
            output.WriteLine(RedisThroughputTable.Format(
                $"{result.EventsPerSecond:N0} events/s, {result.ProducerNanosecondsPerCall:N0} ns/call, delivery p99 {result.DeliveryP99:F1} ms, lost {result.Lost:N0}"));
            results.Add(result);
        }

        return results;
    }
}
