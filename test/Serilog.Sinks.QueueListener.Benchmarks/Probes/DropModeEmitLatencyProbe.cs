using System.Diagnostics;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Probes;

/// <summary>
/// Many producers, released together, log into a queue of capacity one, so that nearly every call finds it full,
/// and the time of every single call is kept: a drop mode promises that a call never waits, and only the slowest
/// calls show whether that holds. An average would hide a call that parked.
/// </summary>
/// <remarks>
/// The time of a call is wall time, so it includes any time the producer was descheduled during it. With more
/// producers than cores that happens to some calls whatever the logger does; the synchronous floor, which has no
/// queue at all, shows how much, and the producers' voluntary context switches tell waiting from preemption.
/// </remarks>
static class DropModeEmitLatencyProbe
{
    static readonly MessageTemplate Template = new MessageTemplateParser().Parse("Emit from producer {Producer}");

    /// <summary>The drop modes; Block for comparison, since its producers wait by design; and the synchronous
    /// floor, whose tail is the scheduler's alone.</summary>
    public static IReadOnlyList<PipelineKind> Kinds { get; } =
    [
        PipelineKind.QueueDropIncoming, PipelineKind.QueueDropOldest, PipelineKind.QueueBlock,
        PipelineKind.SynchronousFloor,
    ];

    public static IReadOnlyList<EmitLatencyResult> Run(CompareOptions options) =>
        Kinds.Select(kind => RunOne(kind, options)).ToList();

    static EmitLatencyResult RunOne(PipelineKind kind, CompareOptions options)
    {
        var producers = options.EmitLatencyProducers;
        var callsPerProducer = options.EmitLatencyCallsPerProducer;
        var calls = (long)producers * callsPerProducer;
        var pipeline = Pipeline.Create(kind, options.EmitLatencyBufferSize);
        pipeline.Tally.Reset(calls, producers);

        // Each producer warms up on its own thread, through a pipeline of the same kind, so that no timed call pays
        // for compiling the path it takes, or for what a thread does once only (its thread-statics are allocated on
        // first use).
        var warmUp = Pipeline.Create(kind, options.EmitLatencyBufferSize);
        warmUp.Tally.Reset((long)producers * options.EmitLatencyWarmUpCalls, producers);

        var timed = new TimedProducer[producers];
        var threads = new Thread[producers];
        using var ready = new CountdownEvent(producers);
        using var go = new ManualResetEventSlim(false);
        for (var p = 0; p < producers; p++)
        {
            var producer = timed[p] = new TimedProducer(callsPerProducer);
            var logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, Template,
                [new LogEventProperty("Producer", new ScalarValue(p))]);
            threads[p] = new Thread(() =>
            {
                for (var i = 0; i < options.EmitLatencyWarmUpCalls; i++) warmUp.Logger.Write(logEvent);
                warmUp.Tally.ProducerDone();
                ready.Signal();
                go.Wait();
                producer.Run(pipeline.Logger, logEvent);
                pipeline.Tally.ProducerDone();
            })
            { IsBackground = true, Name = $"Timed producer {p}" };
            threads[p].Start();
        }

        // Every producer waits at the gate before it opens, so that all of them contend from the first call.
        ready.Wait();
        warmUp.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var collectionsBefore = GcCollections.Now();
        var start = Stopwatch.GetTimestamp();
        go.Set();
        var completed = JoinAll(threads, options.RepetitionTimeout);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var collections = GcCollections.Now() - collectionsBefore;

        // Disposal drains the queue and reports the drops still held for a report, so only now are the counts final.
        pipeline.Dispose();
        var sorted = completed ? Sorted(timed, calls) : [];
        return new EmitLatencyResult(kind, producers, options.EmitLatencyBufferSize, calls,
            Microseconds(sorted, 50), Microseconds(sorted, 99), Microseconds(sorted, 99.9),
            Microseconds(sorted, 99.99), Microseconds(sorted, 100), CountOverOneMillisecond(sorted),
            pipeline.Tally.Delivered, pipeline.Tally.Dropped, pipeline.OwnDroppedCount,
            pipeline.Failures.ReportsWithoutEvents,
            timed.Aggregate((ContextSwitches?)new ContextSwitches(0, 0), (sum, p) => sum + p.Switches),
            collections, seconds, completed);
    }

    /// <summary>Join every thread within one shared <paramref name="timeout"/>. A producer still running after it
    /// is a background thread, and the result is marked incomplete.</summary>
    static bool JoinAll(Thread[] threads, TimeSpan timeout)
    {
        var waiting = Stopwatch.StartNew();
        foreach (var thread in threads)
        {
            var left = timeout - waiting.Elapsed;
            if (left < TimeSpan.Zero || !thread.Join(left)) return false;
        }

        return true;
    }

    static long[] Sorted(TimedProducer[] producers, long calls)
    {
        var all = new long[calls];
        var offset = 0;
        foreach (var producer in producers)
        {
            producer.Ticks.CopyTo(all.AsSpan(offset));
            offset += producer.Ticks.Length;
        }

        Array.Sort(all);
        return all;
    }

    /// <summary>NaN when nothing was measured: a run that timed out has calls that never returned, and a tail
    /// without them would flatter it.</summary>
    static double Microseconds(long[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : Percentile.Of<long>(sorted, percentile) * 1e6 / Stopwatch.Frequency;

    static long CountOverOneMillisecond(long[] sorted)
    {
        var oneMillisecond = Stopwatch.Frequency / 1000;
        var count = 0L;
        for (var i = sorted.Length - 1; i >= 0 && sorted[i] > oneMillisecond; i--) count++;
        return count;
    }
}
