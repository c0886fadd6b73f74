using System.Globalization;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The figures as CSV, for spreadsheets and for comparing runs: the throughput, one row per configuration, producer
/// count and call shape, with the median, min and max of every measure; the Emit latency probe and latency at fixed
/// rates, each in a file of its own, since their rows have other columns.
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

    /// <summary>The Emit latency probe as CSV, one row per configuration; times in microseconds.</summary>
    public static string WriteEmitLatency(CompareReport report)
    {
        var text = new StringBuilder();
        text.AppendLine("configuration,producers,buffer_size,calls,p50_us,p99_us,p999_us,p9999_us,max_us,calls_over_1ms,delivered,dropped_reported,dropped_counted,uncarried,voluntary_switches,involuntary_switches,gen0_collections,gen1_collections,gen2_collections,seconds,all_accounted");
        foreach (var e in report.EmitLatency)
        {
            string[] cells =
            [
                e.Kind.ToString(), Invariant(e.Producers), Invariant(e.BufferSize), Invariant(e.Calls),
                Invariant(e.P50), Invariant(e.P99), Invariant(e.P999), Invariant(e.P9999), Invariant(e.Max),
                Invariant(e.OverOneMillisecond), Invariant(e.Delivered), Invariant(e.Dropped),
                e.OwnDropped is { } own ? Invariant(own) : "", Invariant(e.Uncarried),
                e.Switches is { } s ? Invariant(s.Voluntary) : "", e.Switches is { } t ? Invariant(t.Involuntary) : "",
                Invariant(e.Collections.Gen0), Invariant(e.Collections.Gen1), Invariant(e.Collections.Gen2),
                Invariant(e.Seconds), e.AllAccounted ? "true" : "false",
            ];
            text.AppendLine(string.Join(',', cells));
        }

        return text.ToString();
    }

    /// <summary>Latency at fixed rates as CSV, one row per producer count, end sink, rate and configuration; times in
    /// microseconds.</summary>
    public static string WritePacedLatency(IReadOnlyList<PacedLatencyResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("producers,end_sink,rate,configuration,events,sent_per_second,max_behind_ms,caller_p50_us,caller_p99_us,caller_p999_us,caller_max_us,delivery_p50_us,delivery_p99_us,delivery_p999_us,delivery_max_us,delivered,dropped,file_lines,gen0_collections,gen1_collections,gen2_collections,all_accounted");
        foreach (var r in results)
        {
            string[] cells =
            [
                Invariant(r.Producers), r.EndSink.ToString(), Invariant(r.Rate), r.Kind.ToString(), Invariant(r.Events),
                Invariant(r.SentPerSecond), Invariant(r.MaxBehindMilliseconds),
                Invariant(r.CallerP50), Invariant(r.CallerP99), Invariant(r.CallerP999), Invariant(r.CallerMax),
                Invariant(r.DeliveryP50), Invariant(r.DeliveryP99), Invariant(r.DeliveryP999), Invariant(r.DeliveryMax),
                Invariant(r.Delivered), Invariant(r.Dropped), r.FileLines is { } lines ? Invariant(lines) : "",
                Invariant(r.Collections.Gen0), Invariant(r.Collections.Gen1), Invariant(r.Collections.Gen2),
                r.AllAccounted ? "true" : "false",
            ];
            text.AppendLine(string.Join(',', cells));
        }

        return text.ToString();
    }

    static IEnumerable<string> Cells(Statistic statistic) =>
        [Invariant(statistic.Median), Invariant(statistic.Min), Invariant(statistic.Max)];

    static string Invariant(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
