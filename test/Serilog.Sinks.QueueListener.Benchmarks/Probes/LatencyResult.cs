namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Idle-to-busy wake-up latency of <c>WriteTo.Queue</c>, in microseconds, from the call to the sink.
/// </summary>
sealed record LatencyResult(int Samples, int Lost, double P50, double P99, double P999, double Max, double GapMilliseconds);
