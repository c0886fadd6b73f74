using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Durable;

/// <summary>
/// Caller latency at fixed rates into a File sink (Serilog.Sinks.File, unbuffered: one write per event): the
/// synchronous File sink (itself safe against a process kill, the honest baseline), Serilog.Sinks.Async, the
/// in-memory queue, and the spool under each flush policy, with the machinery of the <c>latency</c> benchmark
/// (configurations taking turns in short rounds). Issue 21's targets: the spool's caller p50 at most half the
/// synchronous File sink's at every rate, its p99 at most the File sink's.
/// </summary>
static class DurableLatency
{
    public static readonly int[] Rates = [1_000, 10_000, 50_000, 200_000];

    static readonly PipelineKind[] Kinds =
    [
        PipelineKind.SynchronousFloor, PipelineKind.AsyncBlocking, PipelineKind.QueueBlock, PipelineKind.Spool,
        PipelineKind.SpoolGroupCommit,
    ];

    public static string Run(CompareOptions options, string folder, TextWriter progress)
    {
        options = options with { PacedRates = Rates };
        var results = new List<PacedLatencyResult>();
        foreach (var producers in options.ProducerCounts)
        {
            foreach (var rate in Rates)
            {
                results.AddRange(PacedLatencyCell.Run(EndSink.File, producers, rate, options, folder, Kinds));

                // An msync per call takes milliseconds: at most the fewest events a cell has, or the cell would take
                // minutes at the higher rates (the rate it reached is in the table).
                results.AddRange(PacedLatencyCell.Run(EndSink.File, producers, rate,
                    options with { PacedCellDuration = TimeSpan.Zero }, folder, [PipelineKind.SpoolFlushEachEvent]));
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency: {producers} producer(s) at {rate:N0}/s done"));
            }
        }

        return Table(results);
    }

    static string Table(List<PacedLatencyResult> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| Caller latency into File, µs | producers | rate/s | reached/s | p50 | p99 | p99.9 | delivery p50 | p50 ÷ sync File | p99 ÷ sync File |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var result in results.OrderBy(r => r.Producers).ThenBy(r => r.Rate).ThenBy(r => Array.IndexOf(Order, r.Kind)))
        {
            var file = results.Single(r => r.Kind == PipelineKind.SynchronousFloor && r.Producers == result.Producers && r.Rate == result.Rate);
            var p50Ratio = result.CallerP50 / file.CallerP50;
            var p99Ratio = result.CallerP99 / file.CallerP99;
            var mark = result.Kind.IsSpool() && result.Kind != PipelineKind.SpoolFlushEachEvent
                ? (p50Ratio <= 0.5 && p99Ratio <= 1 ? " (met)" : " (missed)")
                : "";
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Name(result.Kind)} | {result.Producers} | {result.Rate:N0} | {result.SentPerSecond:N0} | {result.CallerP50:F1} | {result.CallerP99:F1} | {result.CallerP999:F1} | {result.DeliveryP50:F1} | {p50Ratio:F2}{mark} | {p99Ratio:F2} |{(result.AllAccounted ? "" : " NOT ALL ACCOUNTED FOR |")}"));
        }

        return table.ToString();
    }

    static readonly PipelineKind[] Order = [.. Kinds, PipelineKind.SpoolFlushEachEvent];

    static string Name(PipelineKind kind) => kind switch
    {
        PipelineKind.SynchronousFloor => "synchronous File",
        PipelineKind.AsyncBlocking => "Serilog.Sinks.Async + File",
        PipelineKind.QueueBlock => "in-memory queue + File",
        _ => kind.DisplayName() + " + File",
    };
}
