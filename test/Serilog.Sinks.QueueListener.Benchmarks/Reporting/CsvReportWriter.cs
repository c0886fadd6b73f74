using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The throughput figures as CSV, one row per configuration, producer count and call shape, with the median, min
/// and max of every measure, for spreadsheets and for comparing runs.
/// </summary>
static class CsvReportWriter
{
    static readonly string[] Measures =
        ["producer_ns_per_call", "events_per_second", "producer_bytes_per_event", "process_bytes_per_event", "cpu_ns_per_event", "cores_used", "gc_pause_ns_per_event", "lost_percent"];

    public static string Write(CompareReport report)
    {
        var text = new StringBuilder();
        var header = new List<string> { "shape", "producers", "configuration", "repetitions", "emitted", "delivered", "dropped", "unreported", "all_accounted", "gen0_collections", "gen1_collections", "gen2_collections" };
        header.AddRange(Measures.SelectMany(m => new[] { m + "_median", m + "_min", m + "_max" }));
        text.AppendLine(string.Join(',', header));

        foreach (var s in report.Throughput)
        {
            var cells = new List<string>
            {
                s.Shape.ToString(), Invariant(s.Producers), s.Kind.ToString(), Invariant(s.Repetitions.Count),
                Invariant(s.Emitted), Invariant(s.Delivered), Invariant(s.Dropped), Invariant(s.Unreported), s.AllAccounted ? "true" : "false",
                Invariant(s.Repetitions.Sum(r => r.Collections.Gen0)), Invariant(s.Repetitions.Sum(r => r.Collections.Gen1)),
                Invariant(s.Repetitions.Sum(r => r.Collections.Gen2)),
            };
            foreach (var statistic in new[] { s.ProducerNanosecondsPerCall, s.EventsPerSecond, s.ProducerBytesPerEvent, s.PipelineBytesPerEvent, s.CpuNanosecondsPerEvent, s.CoresUsed, s.GcPauseNanosecondsPerEvent, s.LostPercent })
            {
                cells.AddRange(Cells(statistic));
            }

            text.AppendLine(string.Join(',', cells));
        }

        return text.ToString();
    }

    static IEnumerable<string> Cells(Statistic statistic) =>
        [Invariant(statistic.Median), Invariant(statistic.Min), Invariant(statistic.Max)];

    static string Invariant(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
