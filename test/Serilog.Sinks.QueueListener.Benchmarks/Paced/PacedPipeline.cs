using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// A logger configured as one of the configurations of the paced latency benchmark, ending in a given sink.
/// </summary>
sealed class PacedPipeline : IDisposable
{
    /// <summary>How long Serilog's batching sink holds a partial batch: short, since at a low rate every batch is
    /// partial and this is the delivery latency it adds.</summary>
    public static readonly TimeSpan BatchingBufferingTimeLimit = TimeSpan.FromMilliseconds(2);

    /// <summary>The configurations, each as an application would write it.</summary>
    public static IReadOnlyList<PipelineKind> Kinds { get; } =
    [
        PipelineKind.SynchronousFloor, PipelineKind.QueueBlock, PipelineKind.QueueDropIncoming,
        PipelineKind.QueueDropOldest, PipelineKind.AsyncBlocking, PipelineKind.SerilogBatchingLossless,
    ];

    readonly Func<long>? _droppedCount;

    PacedPipeline(Logger logger, Func<long>? droppedCount)
    {
        Logger = logger;
        _droppedCount = droppedCount;
    }

    public Logger Logger { get; }

    /// <summary>The queue's own cumulative count of the events it dropped; <see langword="null"/> for a pipeline
    /// without one.</summary>
    public long? DroppedCount => _droppedCount?.Invoke();

    /// <param name="kind">One of <see cref="Kinds"/>.</param>
    /// <param name="end">The sink every event ends in.</param>
    /// <param name="bufferSize">The capacity of the queue, where the configuration has a bounded one.</param>
    /// <param name="failures">Told of every event the pipeline drops.</param>
    /// <param name="spool">The spool folder of a spool configuration: a new one for each pipeline.</param>
    public static PacedPipeline Create(PipelineKind kind, ILogEventSink end, int bufferSize,
        ILoggingFailureListener failures, string? spool = null)
    {
        var sink = kind switch
        {
            PipelineKind.SynchronousFloor => end,
            PipelineKind.QueueBlock => Queue(QueueFullMode.Block),
            PipelineKind.QueueDropIncoming => Queue(QueueFullMode.DropIncoming),
            PipelineKind.QueueDropOldest => Queue(QueueFullMode.DropOldest),
            PipelineKind.Spool or PipelineKind.SpoolGroupCommit or PipelineKind.SpoolFlushEachEvent =>
                LoggerSinkConfiguration.CreateSink(w => w.Queue(a => a.Sink(end),
                    spool: spool ?? throw new ArgumentNullException(nameof(spool), "A spool configuration needs a folder."),
                    flushToDisk: kind.FlushToDisk())),
            PipelineKind.AsyncBlocking => LoggerSinkConfiguration.CreateSink(w =>
                w.Async(a => a.Sink(end), bufferSize, blockWhenFull: true)),
            PipelineKind.SerilogBatchingLossless => LoggerSinkConfiguration.CreateSink(w =>
                w.Sink(new ForwardingBatchedSink(end), new BatchingOptions
                {
                    BufferingTimeLimit = BatchingBufferingTimeLimit,
                    QueueLimit = null,
                })),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a configuration of the paced benchmark."),
        };

        if (sink is ISetLoggingFailureListener accepting) accepting.SetFailureListener(failures);
        Func<long>? droppedCount = sink is QueueSink { Queue: LogEventQueue queue } ? () => queue.DroppedCount : null;

        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Sink(sink)
            .CreateLogger();
        return new PacedPipeline(logger, droppedCount);

        ILogEventSink Queue(QueueFullMode fullMode) =>
            LoggerSinkConfiguration.CreateSink(w => w.Queue(a => a.Sink(end), bufferSize, fullMode));
    }

    /// <summary>Drains what the pipeline still holds into the end sink, and stops it.</summary>
    public void Dispose() => Logger.Dispose();
}
