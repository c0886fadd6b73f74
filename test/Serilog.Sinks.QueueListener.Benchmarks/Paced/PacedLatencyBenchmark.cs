using System.Globalization;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// Latency at fixed rates: producers log at a steady rate, well within what every configuration can sustain at the
/// lower rates, and every call is timed, as is every event's way to the end sink. Throughput says how much a
/// pipeline can take; this says what each call costs the application, and how late each event is written, at the
/// rates applications log at.
/// </summary>
/// <remarks>
/// The configurations of one producer count, end sink and rate take turns in short rounds (see
/// <see cref="PacedLatencyCell"/>), so that a change in the machine's state during the run falls on all of them
/// alike.
/// </remarks>
static class PacedLatencyBenchmark
{
    /// <summary>After the warm-up pass, time for the runtime to finish compiling the optimised code it queued, on
    /// a background thread that would otherwise compete with the first cells.</summary>
    static readonly TimeSpan SettleAfterWarmUp = TimeSpan.FromMilliseconds(500);

    public static IReadOnlyList<PacedLatencyResult> Run(CompareOptions options, TextWriter progress)
    {
        var folder = Path.Combine(Path.GetTempPath(), "Serilog.Sinks.QueueListener.Benchmarks", $"latency-{Guid.NewGuid():n}");
        Directory.CreateDirectory(folder);
        try
        {
            // A full run reports nothing it measured cold: a pass at the quick sizes first, unreported.
            if (!options.IsQuick)
            {
                RunAll(CompareOptions.Quick with { BufferSize = options.BufferSize }, folder, TextWriter.Null);
                Thread.Sleep(SettleAfterWarmUp);
            }

            return RunAll(options, folder, progress);
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    static List<PacedLatencyResult> RunAll(CompareOptions options, string folder, TextWriter progress)
    {
        var results = new List<PacedLatencyResult>();
        foreach (var producers in options.ProducerCounts)
        {
            foreach (var endSink in Enum.GetValues<EndSink>())
            {
                foreach (var rate in options.PacedRates)
                {
                    foreach (var result in PacedLatencyCell.Run(endSink, producers, rate, options, folder))
                    {
                        results.Add(result);
                        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  {producers} producer(s)  {endSink,-8} {result.RateLabel,5}/s  {result.Kind.DisplayName(),-27} caller p99 {result.CallerP99,9:F1} µs  delivery p99 {result.DeliveryP99,9:F1} µs{(result.AllAccounted ? "" : "  NOT ALL ACCOUNTED FOR")}"));
                    }
                }
            }
        }

        return results;
    }

    static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open here means a sink was not disposed; the folder is under temp and is cleaned up there.
        }
    }
}
