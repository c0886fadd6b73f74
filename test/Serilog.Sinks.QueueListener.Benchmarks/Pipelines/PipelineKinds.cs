namespace Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

/// <summary>
/// Names for the report, spelled as a user would configure each pipeline.
/// </summary>
static class PipelineKinds
{
    public static IReadOnlyList<PipelineKind> All { get; } = Enum.GetValues<PipelineKind>();

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
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pipeline kind."),
    };

    /// <summary>Whether the pipeline may lose events when its buffer is full.</summary>
    public static bool MayDrop(this PipelineKind kind) =>
        kind is PipelineKind.QueueDropIncoming or PipelineKind.QueueDropOldest or PipelineKind.AsyncDropping
            or PipelineKind.SerilogBatching;
}
