using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

/// <summary>
/// A logger configured as one of the compared pipelines, ending in a <see cref="CountingSink"/>, with a failure
/// listener that counts what the pipeline drops.
/// </summary>
sealed class Pipeline : IDisposable
{
    /// <summary>How often Serilog's batching sink flushes a partial batch. Its default (two seconds) would put up to
    /// two idle seconds at the end of every repetition, which measures the timer rather than the pipeline.</summary>
    public static readonly TimeSpan BatchingBufferingTimeLimit = TimeSpan.FromMilliseconds(10);

    public const int BatchingBatchSizeLimit = 1000;

    readonly Func<long>? _ownDroppedCount;
    readonly CountingBatchedSink? _batchedSink;

    Pipeline(PipelineKind kind, Logger logger, Tally tally, TallyFailureListener failures, Func<long>? ownDroppedCount,
        CountingBatchedSink? batchedSink)
    {
        _batchedSink = batchedSink;
        Kind = kind;
        Logger = logger;
        Tally = tally;
        Failures = failures;
        _ownDroppedCount = ownDroppedCount;
    }

    public PipelineKind Kind { get; }

    public Logger Logger { get; }

    public Tally Tally { get; }

    public TallyFailureListener Failures { get; }

    /// <summary>The pipeline's own cumulative count of dropped events, where it keeps one.</summary>
    public long? OwnDroppedCount => _ownDroppedCount?.Invoke();

    /// <summary>
    /// Whether every event the pipeline loses reaches the failure listener. Serilog 4's batching sink discards
    /// events silently when its queue limit is reached (<c>TryWrite</c> on a full bounded channel), so a run of it
    /// cannot wait for delivered + dropped to reach the count emitted. Without a queue limit it loses nothing.
    /// </summary>
    public bool ReportsEveryLoss => Kind != PipelineKind.SerilogBatching;

    /// <summary>When the last event reached the sink, in <see cref="System.Diagnostics.Stopwatch"/> ticks, for a
    /// pipeline that loses events silently; otherwise <see langword="null"/>.</summary>
    public long? LastDeliveryAt => _batchedSink?.LastBatchAt;

    /// <param name="kind">The configuration.</param>
    /// <param name="bufferSize">The capacity of the pipeline's buffer.</param>
    /// <param name="createSink">The sink at the end of the pipeline, given the tally it must count into; a
    /// <see cref="CountingSink"/> when <see langword="null"/>. Serilog's batching sink always counts in batches.</param>
    public static Pipeline Create(PipelineKind kind, int bufferSize, Func<Tally, ILogEventSink>? createSink = null)
    {
        var tally = new Tally();
        var failures = new TallyFailureListener(tally);
        var counting = createSink?.Invoke(tally) ?? new CountingSink(tally);
        var asyncInspector = new AsyncInspectorCapture();
        var batchedSink = kind is PipelineKind.SerilogBatching or PipelineKind.SerilogBatchingLossless
            ? new CountingBatchedSink(tally)
            : null;

        var sink = kind switch
        {
            PipelineKind.SynchronousFloor => counting,
            PipelineKind.QueueBlock => Queue(QueueFullMode.Block),
            PipelineKind.QueueDropIncoming => Queue(QueueFullMode.DropIncoming),
            PipelineKind.QueueDropOldest => Queue(QueueFullMode.DropOldest),
            PipelineKind.AsyncBlocking => LoggerSinkConfiguration.CreateSink(w =>
                w.Async(a => a.Sink(counting), bufferSize, blockWhenFull: true, monitor: asyncInspector)),
            PipelineKind.AsyncDropping => LoggerSinkConfiguration.CreateSink(w =>
                w.Async(a => a.Sink(counting), bufferSize, blockWhenFull: false, monitor: asyncInspector)),
            PipelineKind.SerilogBatching => Batching(queueLimit: bufferSize),
            PipelineKind.SerilogBatchingLossless => Batching(queueLimit: null),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pipeline kind."),
        };

        // Set the listener directly, as WriteTo.Fallible would, so that every pipeline has the same outer shape.
        if (sink is ISetLoggingFailureListener accepting)
        {
            accepting.SetFailureListener(failures);
        }
        else if (kind != PipelineKind.SynchronousFloor)
        {
            throw new InvalidOperationException($"The {kind} sink does not accept a failure listener.");
        }

        Func<long>? ownDroppedCount = sink switch
        {
            QueueSink { Queue: LogEventQueue queue } => () => queue.DroppedCount,
            _ when asyncInspector.Inspector is { } inspector => () => inspector.DroppedMessagesCount,
            _ => null,
        };

        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Sink(sink)
            .CreateLogger();
        return new Pipeline(kind, logger, tally, failures, ownDroppedCount, batchedSink);

        ILogEventSink Queue(QueueFullMode fullMode) =>
            LoggerSinkConfiguration.CreateSink(w => w.Queue(a => a.Sink(counting), bufferSize, fullMode));

        ILogEventSink Batching(int? queueLimit) => LoggerSinkConfiguration.CreateSink(w =>
            w.Sink(batchedSink!, new BatchingOptions
            {
                BatchSizeLimit = BatchingBatchSizeLimit,
                BufferingTimeLimit = BatchingBufferingTimeLimit,
                QueueLimit = queueLimit,
                EagerlyEmitFirstEvent = true,
            }));
    }

    public void Dispose()
    {
        Logger.Dispose();
        Tally.Dispose();
    }
}
