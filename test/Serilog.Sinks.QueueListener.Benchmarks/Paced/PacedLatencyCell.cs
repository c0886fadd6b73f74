using System.Diagnostics;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// One end sink, producer count and rate, for every configuration: the configurations take turns, a short round
/// each, over several rounds, and each one's rounds are pooled into its figures.
/// </summary>
/// <remarks>
/// On a shared virtual machine the state of the host (where the virtual CPUs run, what else runs there) drifts over
/// seconds, and moves one configuration's p99 more than the configurations differ from each other. Measured one
/// after another, each configuration would see a different state; taking turns, all of them sample the same ones.
/// The order of each round follows a row of a Williams square, so that over as many rounds as there are
/// configurations each one runs in every position once and follows every other one once: what a pipeline leaves
/// behind as it stops (a thread winding down, a file being closed, garbage) falls on all of them alike.
/// </remarks>
static class PacedLatencyCell
{
    /// <summary>Every configuration of <paramref name="kinds"/> (by default <see cref="PacedPipeline.Kinds"/>) at
    /// this end sink, producer count and rate, in that order.</summary>
    public static IReadOnlyList<PacedLatencyResult> Run(EndSink endSink, int producers, int rate,
        CompareOptions options, string folder, IReadOnlyList<PipelineKind>? kinds = null)
    {
        kinds ??= PacedPipeline.Kinds;
        var callsPerProducer = CallsPerProducerPerRound(rate, producers, options);
        var rounds = kinds.Select(_ => new List<PacedRound>()).ToArray();
        for (var round = 0; round < options.PacedRounds; round++)
        {
            foreach (var k in WilliamsRow(kinds.Count, round))
            {
                rounds[k].Add(PacedLatencyRound.Run(kinds[k], endSink, producers, rate, callsPerProducer, round,
                    options, folder));
            }
        }

        return [.. kinds.Select((kind, k) => Pool(kind, endSink, producers, rate, rounds[k]))];
    }

    /// <summary>About <see cref="CompareOptions.PacedCellDuration"/> of events at the rate, at least
    /// <see cref="CompareOptions.PacedMinEvents"/>, shared out evenly over the rounds and producers.</summary>
    public static int CallsPerProducerPerRound(int rate, int producers, CompareOptions options)
    {
        var events = Math.Max(options.PacedMinEvents, (int)(rate * options.PacedCellDuration.TotalSeconds));
        var shares = options.PacedRounds * producers;
        return (events + shares - 1) / shares;
    }

    /// <summary>
    /// Row <paramref name="row"/> of a Williams square of side <paramref name="count"/>: the first row is
    /// 0, 1, n−1, 2, n−2, …, and each further row adds one to every entry, modulo n. For an even n, every entry
    /// takes every position once over n rows, and every ordered pair of entries is adjacent once.
    /// </summary>
    public static IEnumerable<int> WilliamsRow(int count, int row)
    {
        for (var position = 0; position < count; position++)
        {
            var first = position % 2 == 1 ? (position + 1) / 2 : (count - position / 2) % count;
            yield return (first + row) % count;
        }
    }

    static PacedLatencyResult Pool(PipelineKind kind, EndSink endSink, int producers, int rate,
        IReadOnlyList<PacedRound> rounds)
    {
        var completed = rounds.All(r => r.Completed);
        var callers = completed ? Microseconds(rounds.SelectMany(r => r.CallTicks)) : [];
        var deliveries = Microseconds(rounds.SelectMany(r => r.DeliveryTicks));
        var events = rounds.Sum(r => r.Events);
        var fileLines = rounds.Any(r => r.FileLines is null) ? (long?)null : rounds.Sum(r => r.FileLines!.Value);
        return new PacedLatencyResult(kind, endSink, producers, rate, events,
            Percentile(callers, 50), Percentile(callers, 99), Percentile(callers, 99.9), Percentile(callers, 100),
            Percentile(deliveries, 50), Percentile(deliveries, 99), Percentile(deliveries, 99.9),
            Percentile(deliveries, 100),
            rounds.Sum(r => r.Delivered), rounds.Sum(r => r.Dropped), fileLines,
            rounds.Sum(r => r.Events - 1) / (rounds.Sum(r => r.SendingTicks) / (double)Stopwatch.Frequency),
            rounds.Max(r => r.MaxBehindTicks) * 1e3 / Stopwatch.Frequency,
            rounds.Aggregate(default(Measurement.GcCollections), (sum, r) => sum + r.Collections), completed);
    }

    /// <summary>Sorted, in microseconds.</summary>
    static double[] Microseconds(IEnumerable<long> ticks)
    {
        var microseconds = ticks.Select(t => t * 1e6 / Stopwatch.Frequency).ToArray();
        Array.Sort(microseconds);
        return microseconds;
    }

    /// <summary>NaN when nothing was measured.</summary>
    static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : Measurement.Percentile.Of<double>(sorted, percentile);
}
