using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// The repetitions of one configuration, one producer count and one call shape, summarised.
/// </summary>
sealed record ThroughputSummary(PipelineKind Kind, int Producers, CallShape Shape, IReadOnlyList<RepetitionResult> Repetitions)
{
    public Statistic ProducerNanosecondsPerCall => Statistic.Of(Repetitions.Select(r => r.ProducerNanosecondsPerCall));

    public Statistic EventsPerSecond => Statistic.Of(Repetitions.Select(r => r.EventsPerSecond));

    public Statistic ProducerBytesPerEvent => Statistic.Of(Repetitions.Select(r => r.ProducerBytesPerEvent));

    public Statistic PipelineBytesPerEvent => Statistic.Of(Repetitions.Select(r => r.PipelineBytesPerEvent));

    public Statistic CpuNanosecondsPerEvent => Statistic.Of(Repetitions.Select(r => r.CpuNanosecondsPerEvent));

    public Statistic GcPauseNanosecondsPerEvent => Statistic.Of(Repetitions.Select(r => r.GcPauseNanosecondsPerEvent));

    public Statistic CoresUsed => Statistic.Of(Repetitions.Select(r => r.CoresUsed));

    public Statistic LostPercent => Statistic.Of(Repetitions.Select(r => r.LostPercent));

    public long Emitted => Repetitions.Sum(r => r.Emitted);

    public long Delivered => Repetitions.Sum(r => r.Delivered);

    public long Dropped => Repetitions.Sum(r => r.Dropped);

    public long Lost => Repetitions.Sum(r => r.Lost);

    public long Unreported => Repetitions.Sum(r => r.Unreported);

    /// <summary>Every repetition completed and delivered + dropped == emitted, agreeing with the pipeline's own
    /// counter where it has one.</summary>
    public bool AllAccounted => Repetitions.All(r => r.AllAccounted);
}
