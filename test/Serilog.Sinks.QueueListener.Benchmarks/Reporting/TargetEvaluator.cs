using System.Globalization;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Probes;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// Checks the figures of one run against the project's performance targets. Ratios compare medians of the same
/// run, so that the machine's speed cancels out.
/// </summary>
static class TargetEvaluator
{
    /// <summary>Below this, bytes per event are zero: what is left is the harness's own per-repetition
    /// allocations (threads, signals) spread over the repetition's events.</summary>
    public const double ZeroBytesThreshold = 0.05;

    public static IReadOnlyList<TargetResult> Evaluate(IReadOnlyList<ThroughputSummary> throughput,
        LatencyResult latency, IdleCpuResult idle, IReadOnlyList<SaturationResult> saturation,
        IReadOnlyList<EmitLatencyResult> emitLatency, IReadOnlyList<PacedLatencyResult> pacedLatency)
    {
        var results = new List<TargetResult>();
        foreach (var shape in Enum.GetValues<CallShape>())
        {
            foreach (var producers in throughput.Select(s => s.Producers).Distinct().Order())
            {
                var where = $"{shape}, {producers} producer(s)";
                var queue = Find(throughput, PipelineKind.QueueBlock, producers, shape);
                var async = Find(throughput, PipelineKind.AsyncBlocking, producers, shape);
                // Lossless against lossless: Block loses nothing, so the batching sink runs with QueueLimit = null.
                var batching = Find(throughput, PipelineKind.SerilogBatchingLossless, producers, shape);
                var floor = Find(throughput, PipelineKind.SynchronousFloor, producers, shape);
                if (queue is null) continue;

                // The ratios to the peers are set for the queue's own cost, with prebuilt events; with message
                // templates, most of the time goes to the template's parse and capture on the caller's thread, the
                // same for every pipeline, and the throughput table shows them.
                if (shape == CallShape.PrebuiltEvent && async is not null) results.Add(Ratio($"Queue Block events/s >= 10x Async blockWhenFull ({where})",
                    queue.EventsPerSecond.Median, async.EventsPerSecond.Median, 10));
                if (shape == CallShape.PrebuiltEvent && batching is not null) results.Add(Ratio($"Queue Block events/s >= 2x {PipelineKind.SerilogBatchingLossless.DisplayName()} ({where})",
                    queue.EventsPerSecond.Median, batching.EventsPerSecond.Median, 2));
                if (floor is not null)
                {
                    var ratio = queue.ProducerNanosecondsPerCall.Median / floor.ProducerNanosecondsPerCall.Median;
                    results.Add(new TargetResult($"Queue Block producer ns/call <= 3x the synchronous floor ({where})",
                        Format($"{queue.ProducerNanosecondsPerCall.Median:F1} vs {floor.ProducerNanosecondsPerCall.Median:F1} ns = {ratio:F2}x"),
                        ratio <= 3));
                }

                if (shape == CallShape.PrebuiltEvent)
                {
                    var producerBytes = queue.ProducerBytesPerEvent.Max;
                    var pipelineBytes = queue.PipelineBytesPerEvent.Max;
                    results.Add(new TargetResult($"Queue Block allocates 0 bytes per event, prebuilt event ({where})",
                        Format($"producer {producerBytes:F3} B/event, whole process {pipelineBytes:F3} B/event (worst repetition)"),
                        producerBytes < ZeroBytesThreshold && pipelineBytes < ZeroBytesThreshold));
                }

                results.Add(new TargetResult($"Queue Block loses 0 events ({where})",
                    Format($"{queue.Lost:N0} lost of {queue.Emitted:N0}; all accounted: {queue.AllAccounted}"),
                    queue.Lost == 0 && queue.AllAccounted));
            }
        }

        if (saturation.FirstOrDefault(s => s.FullMode == QueueFullMode.Block) is { } blocked)
        {
            results.Add(new TargetResult("Queue Block loses 0 events (saturated, slow sink)",
                Format($"{blocked.Dropped:N0} dropped of {blocked.Emitted:N0}; all accounted: {blocked.AllAccounted}"),
                blocked.Dropped == 0 && blocked.AllAccounted));
        }

        results.Add(new TargetResult(Format($"Idle listener < 0.5% of a core (over {idle.WindowSeconds:F0} s)"),
            Format($"{idle.WithListenerPercentOfCore:F2}% with the listener, {idle.BaselinePercentOfCore:F2}% without (whole process)"),
            idle.WithListenerPercentOfCore < 0.5));
        results.Add(new TargetResult("Wake-up latency p99 < 200 µs",
            Format($"p50 {latency.P50:F1} µs, p99 {latency.P99:F1} µs, p99.9 {latency.P999:F1} µs"),
            latency.P99 < 200 && latency.Lost == 0));
        results.AddRange(emitLatency.Where(e => e.Kind.MayDrop()).Select(DropModeEmit));
        results.AddRange(EvaluatePacedLatency(pacedLatency));
        return results;
    }

    /// <summary>The targets of latency at fixed rates, each judged at every rate: a configuration that is cheap at
    /// one rate and dear at another has not met it.</summary>
    public static IReadOnlyList<TargetResult> EvaluatePacedLatency(IReadOnlyList<PacedLatencyResult> paced)
    {
        var results = new List<TargetResult>();
        foreach (var producers in paced.Select(r => r.Producers).Distinct().Order())
        {
            // Against the synchronous File sink: what taking the sink off the calling thread saves it.
            results.AddRange(AtEveryRate(paced, EndSink.File, producers,
                $"Queue Block caller p50 <= 0.5x the synchronous File sink's, at every rate (File, {producers} producer(s))",
                (queue, find) => find(PipelineKind.SynchronousFloor) is { } floor
                    ? (Format($"{queue.CallerP50:F2} vs {floor.CallerP50:F2} µs = {queue.CallerP50 / floor.CallerP50:F2}x"),
                        queue.CallerP50 <= 0.5 * floor.CallerP50)
                    : null));

            foreach (var endSink in Enum.GetValues<EndSink>())
            {
                var where = $"{endSink}, {producers} producer(s)";
                results.AddRange(AtEveryRate(paced, endSink, producers,
                    $"Queue Block caller p99 <= min(Async blockWhenFull, {PipelineKind.SerilogBatchingLossless.DisplayName()}) p99, at every rate ({where})",
                    (queue, find) => (find(PipelineKind.AsyncBlocking), find(PipelineKind.SerilogBatchingLossless)) is ({ } async, { } batching)
                        ? (Format($"{queue.CallerP99:F2} vs {async.CallerP99:F2} and {batching.CallerP99:F2} µs"),
                            queue.CallerP99 <= Math.Min(async.CallerP99, batching.CallerP99))
                        : null));
                results.AddRange(AtEveryRate(paced, endSink, producers,
                    $"Queue Block delivery p99 <= 5 ms, at every rate ({where})",
                    (queue, _) => (Format($"{queue.DeliveryP99 / 1000:F3} ms{(queue.AllAccounted ? "" : ", not all accounted for")}"),
                        queue.DeliveryP99 <= 5000 && queue.AllAccounted)));
            }
        }

        return results;
    }

    /// <summary>
    /// One target over every rate at which Queue Block ran: it holds when it holds at each. <paramref name="check"/>
    /// is given the Queue Block cell and a way to find its peers at the same rate; it returns what it measured, or
    /// <see langword="null"/> when a peer is missing. No result when there is nothing to judge.
    /// </summary>
    static IEnumerable<TargetResult> AtEveryRate(IReadOnlyList<PacedLatencyResult> paced, EndSink endSink,
        int producers, string target,
        Func<PacedLatencyResult, Func<PipelineKind, PacedLatencyResult?>, (string Measured, bool Holds)?> check)
    {
        var measured = new List<string>();
        var holds = true;
        foreach (var queue in paced.Where(r => r.Kind == PipelineKind.QueueBlock && r.EndSink == endSink && r.Producers == producers).OrderBy(r => r.Rate))
        {
            var atRate = check(queue, kind => paced.FirstOrDefault(r =>
                r.Kind == kind && r.EndSink == endSink && r.Producers == producers && r.Rate == queue.Rate));
            if (atRate is not { } result) continue;

            measured.Add($"{queue.RateLabel}/s: {result.Measured}");
            holds &= result.Holds;
        }

        if (measured.Count > 0) yield return new TargetResult(target, string.Join("; ", measured), holds);
    }

    /// <summary>
    /// A drop mode promises that a call never waits. The slowest call is the measure, since one that parked or
    /// slept would show there and nowhere else; the voluntary context switches say whether any producer gave up its
    /// core during a call (a garbage collection's suspension counts too).
    /// </summary>
    static TargetResult DropModeEmit(EmitLatencyResult e) => new(
        $"{e.Kind.DisplayName()}: max Emit < 1 ms ({e.Producers} producers, buffer {e.BufferSize})",
        Format($"max {e.Max:F1} µs, p99.99 {e.P9999:F1} µs, {e.OverOneMillisecond:N0} of {e.Calls:N0} calls over 1 ms; {(e.Switches is { } s ? $"{s.Voluntary:N0} waits, {s.Involuntary:N0} preemptions" : "context switches not counted here")}; accounted: {e.AllAccounted}"),
        e.Max < 1000 && e.AllAccounted);

    static ThroughputSummary? Find(IReadOnlyList<ThroughputSummary> throughput, PipelineKind kind, int producers,
        CallShape shape) =>
        throughput.FirstOrDefault(s => s.Kind == kind && s.Producers == producers && s.Shape == shape);

    static TargetResult Ratio(string target, double value, double peer, double required)
    {
        var ratio = value / peer;
        return new TargetResult(target, Format($"{value:N0} vs {peer:N0} events/s = {ratio:F2}x"), ratio >= required);
    }

    static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
