using System.Diagnostics;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// One repetition: producers released together log a fixed number of events as fast as they can, and the run ends
/// when every event has reached the sink or been reported dropped.
/// </summary>
static class ThroughputRun
{
    /// <summary>The message-template call's template; the paced latency benchmark makes the same call.</summary>
    public const string Template = "Order {OrderId} for {Customer}";

    /// <summary>The customers the calls name in turn: eight, so that <c>i &amp; 7</c> picks one.</summary>
    public static readonly string[] Customers = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"];
    static readonly MessageTemplate ParsedTemplate = new MessageTemplateParser().Parse(Template);

    /// <summary>Twenty flush intervals of Serilog's batching sink without a delivery: it has nothing left.</summary>
    static readonly TimeSpan QuietPeriod = 20 * Pipeline.BatchingBufferingTimeLimit;

    public static RepetitionResult Run(Pipeline pipeline, CallShape shape, int producers, int eventsPerProducer,
        TimeSpan timeout)
    {
        var emitted = (long)producers * eventsPerProducer;
        var ownDroppedBefore = pipeline.OwnDroppedCount;
        Func<long>? ownDropped = ownDroppedBefore is { } before ? () => pipeline.OwnDroppedCount!.Value - before : null;
        pipeline.Tally.Reset(emitted, producers, ownDropped);

        using var go = new ManualResetEventSlim(false);
        var records = new ProducerRecord[producers];
        var threads = new Thread[producers];
        for (var p = 0; p < producers; p++)
        {
            var record = records[p] = new ProducerRecord();
            var logEvent = PrebuiltEvent(p);
            threads[p] = new Thread(() =>
            {
                go.Wait();
                Produce(pipeline.Logger, shape, logEvent, eventsPerProducer, record);
                pipeline.Tally.ProducerDone();
            })
            { IsBackground = true, Name = $"Producer {p}" };
            threads[p].Start();
        }

        // Settle the heap so that one repetition's garbage is not collected during the next.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var cpuBefore = ProcessCpu.Now();
        var collectionsBefore = GcCollections.Now();
        var pausedBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var start = Stopwatch.GetTimestamp();
        go.Set();
        var (completed, end) = WaitForEnd(pipeline, threads, timeout);
        var allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        var pausedAfter = GC.GetTotalPauseDuration();
        var collectionsAfter = GcCollections.Now();
        var cpuAfter = ProcessCpu.Now();

        // Bounded: after a timeout a producer may still be waiting for room that never comes; it is a background
        // thread, and the repetition is already marked incomplete.
        foreach (var thread in threads) thread.Join(timeout);

        // The queue reports its drops in batches a moment later; the run ended at its last delivery, but the
        // accounting below wants every report in.
        if (ownDropped is not null) SpinWait.SpinUntil(() => pipeline.Tally.Dropped >= ownDropped(), timeout);

        var delivered = pipeline.Tally.Delivered;
        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        return new RepetitionResult(
            emitted,
            delivered,
            pipeline.Tally.Dropped,
            pipeline.OwnDroppedCount - ownDroppedBefore,
            completed,
            records.Average(r => r.ElapsedTicks * 1e9 / Stopwatch.Frequency / r.Calls),
            delivered / seconds,
            (double)records.Sum(r => r.AllocatedBytes) / emitted,
            (double)(allocatedAfter - allocatedBefore) / emitted,
            (cpuAfter - cpuBefore).TotalNanoseconds / emitted,
            (pausedAfter - pausedBefore).TotalNanoseconds / emitted,
            collectionsAfter - collectionsBefore,
            seconds);
    }

    /// <summary>
    /// Wait until every event is delivered or reported dropped. A pipeline that loses events silently never gets
    /// there: for it, wait until the producers are done and no event has arrived for a quiet period, and take the
    /// last arrival as the end.
    /// </summary>
    static (bool Completed, long End) WaitForEnd(Pipeline pipeline, Thread[] producers, TimeSpan timeout)
    {
        if (pipeline.ReportsEveryLoss)
        {
            var completed = pipeline.Tally.Wait(timeout);
            return (completed, Stopwatch.GetTimestamp());
        }

        var waiting = Stopwatch.StartNew();
        foreach (var thread in producers) thread.Join(timeout);

        var lastDelivered = -1L;
        while (true)
        {
            if (pipeline.Tally.Wait(QuietPeriod)) return (true, Stopwatch.GetTimestamp());

            var delivered = pipeline.Tally.Delivered;
            if (delivered == lastDelivered || waiting.Elapsed > timeout)
            {
                return (false, pipeline.LastDeliveryAt ?? Stopwatch.GetTimestamp());
            }

            lastDelivered = delivered;
        }
    }

    static void Produce(ILogger logger, CallShape shape, LogEvent logEvent, int count, ProducerRecord record)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        if (shape == CallShape.PrebuiltEvent)
        {
            for (var i = 0; i < count; i++) logger.Write(logEvent);
        }
        else
        {
            for (var i = 0; i < count; i++) logger.Information(Template, i, Customers[i & 7]);
        }

        record.ElapsedTicks = Stopwatch.GetTimestamp() - start;
        record.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        record.Calls = count;
    }

    /// <summary>The event of the prebuilt shape: the same properties the template shape binds.</summary>
    static LogEvent PrebuiltEvent(int producer) => new(
        DateTimeOffset.UtcNow,
        LogEventLevel.Information,
        null,
        ParsedTemplate,
        [
            new LogEventProperty("OrderId", new ScalarValue(producer)),
            new LogEventProperty("Customer", new ScalarValue(Customers[producer & 7])),
        ]);
}
