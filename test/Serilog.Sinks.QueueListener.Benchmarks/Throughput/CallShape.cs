namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// How the producers log.
/// </summary>
enum CallShape
{
    /// <summary><c>logger.Write(logEvent)</c> with an event built once: the pipeline's own cost, nothing else.</summary>
    PrebuiltEvent,

    /// <summary><c>logger.Information("Order {OrderId} for {Customer}", id, name)</c>: what applications write, with
    /// template binding and the event's allocation on the calling thread.</summary>
    MessageTemplate,
}
