using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Runs each full mode of <c>WriteTo.Queue</c> against a slow sink with a small buffer, so that the queue is full
/// almost all the time, and checks that every event is delivered or counted as dropped.
/// </summary>
static class SaturationProbe
{
    public static IReadOnlyList<SaturationResult> Run(CompareOptions options)
    {
        return
        [
            RunOne(PipelineKind.QueueBlock, QueueFullMode.Block, options),
            RunOne(PipelineKind.QueueDropIncoming, QueueFullMode.DropIncoming, options),
            RunOne(PipelineKind.QueueDropOldest, QueueFullMode.DropOldest, options),
        ];
    }

    static SaturationResult RunOne(PipelineKind kind, QueueFullMode fullMode, CompareOptions options)
    {
        using var pipeline = Pipeline.Create(kind, options.SaturationBufferSize,
            tally => new SlowSink(tally, options.SaturationSpinIterations));

        var result = ThroughputRun.Run(pipeline, CallShape.PrebuiltEvent, 1, options.SaturationEvents,
            options.RepetitionTimeout);

        return new SaturationResult(fullMode, result.Emitted, result.Delivered, result.Dropped, result.OwnDropped,
            result.Completed, result.ProducerNanosecondsPerCall, result.EventsPerSecond);
    }
}
