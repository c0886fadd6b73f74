using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// Every configuration, producer count and call shape, each in a fresh pipeline: one warm-up repetition (which lets
/// the JIT reach its optimised code), then the measured ones.
/// </summary>
static class ThroughputBenchmark
{
    public static IReadOnlyList<ThroughputSummary> Run(CompareOptions options, TextWriter progress)
    {
        var summaries = new List<ThroughputSummary>();
        foreach (var shape in Enum.GetValues<CallShape>())
        {
            foreach (var producers in options.ProducerCounts)
            {
                foreach (var kind in PipelineKinds.All)
                {
                    progress.Write($"  {shape,-15} {producers} producer(s)  {kind.DisplayName(),-26}");
                    var summary = RunOne(kind, producers, shape, options);
                    summaries.Add(summary);
                    progress.WriteLine($"{summary.EventsPerSecond.Median,14:N0} events/s{(summary.AllAccounted ? "" : "  NOT ALL ACCOUNTED FOR")}");
                }
            }
        }

        return summaries;
    }

    static ThroughputSummary RunOne(PipelineKind kind, int producers, CallShape shape, CompareOptions options)
    {
        using var pipeline = Pipeline.Create(kind, options.BufferSize);
        var warmUp = ThroughputRun.Run(pipeline, shape, producers, options.EventsPerRepetition / producers,
            options.RepetitionTimeout);
        var eventsPerProducer = EventsFor(warmUp, options) / producers;

        var repetitions = new List<RepetitionResult>();
        for (var i = 0; i < options.Repetitions; i++)
        {
            repetitions.Add(ThroughputRun.Run(pipeline, shape, producers, eventsPerProducer, options.RepetitionTimeout));
        }

        return new ThroughputSummary(kind, producers, shape, repetitions);
    }

    /// <summary>Enough calls for the configuration to run at least the minimum repetition time at its warm-up
    /// rate.</summary>
    static int EventsFor(RepetitionResult warmUp, CompareOptions options)
    {
        var wanted = warmUp.CallsPerSecond * options.MinimumRepetitionTime.TotalSeconds;
        if (double.IsNaN(wanted)) return options.EventsPerRepetition;
        return (int)Math.Clamp(wanted, options.EventsPerRepetition, options.MaxEventsPerRepetition);
    }
}
