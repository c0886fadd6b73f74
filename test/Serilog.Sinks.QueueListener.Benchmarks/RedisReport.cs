using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks;

/// <summary>
/// Everything one <c>redis</c> run measured, and where it was written.
/// </summary>
/// <param name="RedisVersion">What redis-server said its version was.</param>
/// <param name="FullSpeed">One result per configuration, producers as fast as they can.</param>
/// <param name="Paced">One result per configuration, producers at <see cref="RedisOptions.PacedRate"/>.</param>
/// <param name="Stages">Batched entries, each side alone.</param>
sealed record RedisReport(
    RedisOptions Options,
    MachineInfo Machine,
    string RedisVersion,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    IReadOnlyList<RedisRunResult> FullSpeed,
    IReadOnlyList<RedisRunResult> Paced,
    StagedRunResult Stages,
    IReadOnlyList<TargetResult> Targets)
{
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The load averages when the run began and ended; see <see cref="MachineInfo.ReadLoadAverage"/>.</summary>
    public string LoadAverage { get; init; } = "unknown";
}
