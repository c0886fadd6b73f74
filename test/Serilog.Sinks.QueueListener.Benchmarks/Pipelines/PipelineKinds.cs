namespace Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

/// <summary>
/// Names for the report, spelled as a user would configure each pipeline.
/// </summary>
static class PipelineKinds
{
    /// <summary>The in-memory configurations, which <c>compare</c> runs; the spool's are the <c>durable</c>
    /// benchmark's.</summary>
    public static IReadOnlyList<PipelineKind> All { get; } = [.. Enum.GetValues<PipelineKind>().Where(k => !k.IsSpool())];

    public static bool IsSpool(this PipelineKind kind) =>
        kind is PipelineKind.Spool or PipelineKind.SpoolGroupCommit or PipelineKind.SpoolFlushEachEvent;

    /// <summary>The flush policy of a spool configuration.</summary>
    public static TimeSpan? FlushToDisk(this PipelineKind kind) => kind switch
    {
        PipelineKind.SpoolGroupCommit => TimeSpan.FromMilliseconds(100),
        PipelineKind.SpoolFlushEachEvent => TimeSpan.Zero,
        _ => null,
    };

    public static string DisplayName(this PipelineKind kind) => kind switch
    {
        PipelineKind.SynchronousFloor => "Sync floor (no queue)",
        PipelineKind.QueueBlock => "Queue Block",
        PipelineKind.QueueDropIncoming => "Queue DropIncoming",
        PipelineKind.QueueDropOldest => "Queue DropOldest",
        PipelineKind.AsyncBlocking => "Async blockWhenFull=true",
        PipelineKind.AsyncDropping => "Async blockWhenFull=false",
        PipelineKind.SerilogBatching => "Serilog batching (bounded)",
        PipelineKind.SerilogBatchingLossless => "Serilog batching (lossless)",
        PipelineKind.Spool => "Spool, no flush",
        PipelineKind.SpoolGroupCommit => "Spool, group commit 100 ms",
        PipelineKind.SpoolFlushEachEvent => "Spool, flush every event",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pipeline kind."),
    };

    /// <summary>Whether the pipeline may lose events when its buffer is full.</summary>
    public static bool MayDrop(this PipelineKind kind) =>
        kind is PipelineKind.QueueDropIncoming or PipelineKind.QueueDropOldest or PipelineKind.AsyncDropping
            or PipelineKind.SerilogBatching;
}
