namespace Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

/// <summary>
/// The configurations compared, each ending in the same counting sink.
/// </summary>
enum PipelineKind
{
    /// <summary>The counting sink called on the producer's thread: the floor every pipeline is measured against.</summary>
    SynchronousFloor,
    QueueBlock,
    QueueDropIncoming,
    QueueDropOldest,

    /// <summary>Serilog.Sinks.Async with <c>blockWhenFull: true</c>.</summary>
    AsyncBlocking,

    /// <summary>Serilog.Sinks.Async with <c>blockWhenFull: false</c>.</summary>
    AsyncDropping,

    /// <summary>Serilog 4's <c>WriteTo.Sink(IBatchedLogEventSink, BatchingOptions)</c>.</summary>
    SerilogBatching,
}
