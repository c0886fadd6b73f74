namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Process CPU time while nothing is logged, as a percentage of one core: first with no pipeline (the runtime's
/// own background work), then with an idle <c>WriteTo.Queue</c> listener.
/// </summary>
sealed record IdleCpuResult(double WindowSeconds, double BaselinePercentOfCore, double WithListenerPercentOfCore)
{
    /// <summary>What the idle listener adds to the baseline; may be slightly negative from noise.</summary>
    public double ListenerPercentOfCore => WithListenerPercentOfCore - BaselinePercentOfCore;
}
