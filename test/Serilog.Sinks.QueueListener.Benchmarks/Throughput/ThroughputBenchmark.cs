using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// Every configuration, producer count and call shape. The configurations of one producer count and shape are
/// measured interleaved, one repetition of each in turn, rotating which goes first, so that a change in the
/// machine's load during the run (a build starting elsewhere) falls on all of them alike rather than on whichever
/// happened to be running: the ratios between them are what the targets judge.
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
                foreach (var summary in RunGroup(shape, producers, options))
                {
                    summaries.Add(summary);
                    progress.WriteLine($"  {shape,-15} {producers} producer(s)  {summary.Kind.DisplayName(),-26}" +
                        $"{summary.EventsPerSecond.Median,14:N0} events/s{(summary.AllAccounted ? "" : "  NOT ALL ACCOUNTED FOR")}");
                }
            }
        }

        return summaries;
    }

    static List<ThroughputSummary> RunGroup(CallShape shape, int producers, CompareOptions options)
    {
        var kinds = PipelineKinds.All;
        var pipelines = new List<Pipeline>();
        try
        {
            // Idle pipelines cost nothing worth measuring: a parked listener or worker thread, and the batching
            // sink's 10 ms timer.
            foreach (var kind in kinds) pipelines.Add(Pipeline.Create(kind, options.BufferSize));

            // One warm-up repetition each lets the JIT reach its optimised code and sizes the measured ones.
            var eventsPerProducer = pipelines
                .Select(p => EventsFor(ThroughputRun.Run(p, shape, producers, options.EventsPerRepetition / producers,
                    options.RepetitionTimeout), options) / producers)
                .ToList();

            var repetitions = kinds.Select(_ => new List<RepetitionResult>()).ToList();
            for (var r = 0; r < options.Repetitions; r++)
            {
                for (var k = 0; k < kinds.Count; k++)
                {
                    var i = (k + r) % kinds.Count;
                    repetitions[i].Add(ThroughputRun.Run(pipelines[i], shape, producers, eventsPerProducer[i],
                        options.RepetitionTimeout));
                }
            }

            return kinds.Select((kind, i) => new ThroughputSummary(kind, producers, shape, repetitions[i])).ToList();
        }
        finally
        {
            foreach (var pipeline in pipelines) pipeline.Dispose();
        }
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
