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

    /// <summary>Serilog 4's <c>WriteTo.Sink(IBatchedLogEventSink, BatchingOptions)</c> with its queue bounded at the
    /// buffer size: it discards events, silently, when the queue is full.</summary>
    SerilogBatching,

    /// <summary>Serilog 4's batching with <c>QueueLimit = null</c>: an unbounded queue, so it loses nothing, which
    /// makes it the peer of Queue Block and Async blockWhenFull=true, at the price of unbounded memory.</summary>
    SerilogBatchingLossless,

    /// <summary>The durable queue (<c>WriteTo.Queue(..., spool: folder)</c>), Block, no flush policy: survives the
    /// death of the process. Only in the <c>durable</c> benchmark.</summary>
    Spool,

    /// <summary>The durable queue with a group commit every 100 ms (<c>flushToDisk: 00:00:00.100</c>).</summary>
    SpoolGroupCommit,

    /// <summary>The durable queue flushing every event before the call returns (<c>flushToDisk: 00:00:00</c>).</summary>
    SpoolFlushEachEvent,
}
