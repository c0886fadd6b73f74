using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// Everything one <c>compare</c> run measured, and where it was written.
/// </summary>
sealed record CompareReport(
    CompareOptions Options,
    MachineInfo Machine,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<ThroughputSummary> Throughput,
    LatencyResult Latency,
    IdleCpuResult IdleCpu,
    IReadOnlyList<SaturationResult> Saturation,
    IReadOnlyList<EmitLatencyResult> EmitLatency,
    IReadOnlyList<PacedLatencyResult> PacedLatency,
    IReadOnlyList<TargetResult> Targets)
{
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The load averages when the run began and ended; see <see cref="MachineInfo.ReadLoadAverage"/>.</summary>
    public string LoadAverage { get; init; } = "unknown";
}
