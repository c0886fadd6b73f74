namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// One performance target, what was measured against it and whether it holds.
/// </summary>
sealed record TargetResult(string Target, string Measured, bool Holds);
