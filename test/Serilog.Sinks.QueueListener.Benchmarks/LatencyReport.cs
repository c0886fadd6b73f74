using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// Everything one <c>latency</c> run measured, and where it was written.
/// </summary>
sealed record LatencyReport(
    CompareOptions Options,
    MachineInfo Machine,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<PacedLatencyResult> Results,
    IReadOnlyList<TargetResult> Targets)
{
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The load averages when the run began and ended; see <see cref="MachineInfo.ReadLoadAverage"/>.</summary>
    public string LoadAverage { get; init; } = "unknown";
}
