using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// The <c>redis --cluster</c> command: the batched configuration at full speed against a private 3-master Redis
/// Cluster, the stream on one key (<c>shards: 1</c>, one slot, one master) and then spread over
/// <see cref="RedisOptions.Shards"/> keys, one per master: what sharding buys in throughput.
/// </summary>
static class RedisClusterHarness
{
    public const string MarkdownFileName = "redis-cluster.md";

    /// <exception cref="InvalidOperationException">When redis-server is missing, the cluster does not form, or a run
    /// fails.</exception>
    public static void Run(RedisOptions options, TextWriter output)
    {
        if (CompareHarness.IsDebugBuild()) output.WriteLine("WARNING: a Debug build; figures are only meaningful with -c Release.");

        var startedAt = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.ReadLoadAverage();
        using var cluster = PrivateRedisCluster.Start();
        output.WriteLine($"Redis cluster mode{(options.IsQuick ? " (quick)" : "")}: redis-server {cluster.Version}, {cluster.Masters.Count} masters, {options.Producers} producer processes");

        var results = new List<(int Shards, RedisRunResult Result)>();
        foreach (var shards in new[] { 1, options.Shards }.Distinct())
        {
            output.Write($"  {ProducerConfiguration.QueueBatched.DisplayName()}, shards {shards}, full speed... ");
            var result = RedisRun.Run(cluster, ProducerConfiguration.QueueBatched, null, options, shards);
            output.WriteLine(Line(result));
            results.Add((shards, result));
        }

        var machine = MachineInfo.Current();
        var load = $"{loadAtStart} at the start, {MachineInfo.ReadLoadAverage()} at the end";
        output.WriteLine();
        output.WriteLine($"Machine: {machine}; load average (1, 5, 15 min) {load}");

        var markdown = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Redis transport in a {cluster.Masters.Count}-master cluster")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{startedAt:yyyy-MM-dd HH:mm} UTC, {machine}, load average {load}; redis-server {cluster.Version}; {options.Producers} producer processes of {options.EventsPerProducer:N0} events each{(options.IsQuick ? " (quick: a check that the mode works, not a measurement)" : "")}.")
            .AppendLine()
            .AppendLine("| shards | events/s | delivery p99 (ms) | lost | duplicates |")
            .AppendLine("|---|---|---|---|---|");
        foreach (var (shards, result) in results)
        {
            markdown.AppendLine(CultureInfo.InvariantCulture,
                $"| {shards} | {result.EventsPerSecond:N0} | {result.DeliveryP99:F1} | {result.Lost:N0} | {result.Duplicates:N0} |");
        }

        var directory = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, MarkdownFileName);
        System.IO.File.WriteAllText(file, markdown.ToString());
        output.WriteLine($"Wrote {file}");
    }

    static string Line(RedisRunResult result) => RedisThroughputTable.Format(
        $"{result.EventsPerSecond:N0} events/s, delivery p99 {result.DeliveryP99:F1} ms, lost {result.Lost:N0}, duplicates {result.Duplicates:N0}");
}
