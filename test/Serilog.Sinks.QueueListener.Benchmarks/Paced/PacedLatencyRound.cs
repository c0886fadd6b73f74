using System.Diagnostics;
using System.Globalization;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// One round of one configuration, end sink, producer count and rate: a fresh pipeline, warmed up, then the timed
/// calls at their due times, then what they measured.
/// </summary>
static class PacedLatencyRound
{
    /// <summary>How far ahead of the first due time the producers are released, so that every one of them is
    /// spinning, not waking up, when it comes.</summary>
    static readonly TimeSpan StartLead = TimeSpan.FromMilliseconds(2);

    /// <param name="round">The round's number, which names its log file.</param>
    public static PacedRound Run(PipelineKind kind, EndSink endSink, int producers, int rate, int callsPerProducer,
        int round, CompareOptions options, string folder)
    {
        var events = callsPerProducer * producers;

        // Allocated up front: an allocation in the timed loop could start a garbage collection, which would then be
        // measured as the logger's.
        var sentAt = new long[events];
        var callTicks = new long[events];
        var receivedAt = new long[events];

        using var tally = new Tally();
        var path = endSink == EndSink.File
            ? Path.Combine(folder, $"{kind}-{producers}-{rate}-{round}.log".ToLowerInvariant())
            : null;
        var file = path is null
            ? null
            : LoggerSinkConfiguration.CreateSink(w => w.File(path, formatProvider: CultureInfo.InvariantCulture));
        var stamping = new DeliveryStampingSink(tally, receivedAt, file);
        var spool = kind.IsSpool() ? Path.Combine(folder, $"spool-{kind}-{producers}-{rate}-{round}".ToLowerInvariant()) : null;
        var pipeline = PacedPipeline.Create(kind, stamping, options.BufferSize, new TallyFailureListener(tally), spool);

        var timed = new PacedProducer[producers];
        var threads = new Thread[producers];
        using var ready = new CountdownEvent(producers);
        using var go = new ManualResetEventSlim(false);

        // Written before go is set and read after it is: setting and waiting on the event are full fences.
        var start = 0L;
        for (var p = 0; p < producers; p++)
        {
            var producer = timed[p] = new PacedProducer(p, producers, callsPerProducer, sentAt, callTicks);
            threads[p] = new Thread(() =>
            {
                PacedProducer.WarmUp(pipeline.Logger, options.PacedWarmUpCalls);
                ready.Signal();
                go.Wait();
                producer.Run(pipeline.Logger, start, rate);
                tally.ProducerDone();
            })
            { IsBackground = true, Name = $"Paced producer {p}" };
            threads[p].Start();
        }

        // The warm-up events leave the pipeline before the timed ones start, so that none waits behind them.
        ready.Wait();
        var warmUpCalls = (long)producers * options.PacedWarmUpCalls;
        SpinWait.SpinUntil(() => stamping.WarmUpDelivered >= warmUpCalls, options.RepetitionTimeout);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Func<long>? ownDropped = pipeline.DroppedCount is { } before ? () => pipeline.DroppedCount!.Value - before : null;
        tally.Reset(events, producers, ownDropped);
        var collectionsBefore = GcCollections.Now();
        start = Stopwatch.GetTimestamp() + (long)(StartLead.TotalSeconds * Stopwatch.Frequency);
        go.Set();

        var waiting = Stopwatch.StartNew();
        var producersDone = JoinAll(threads, options.RepetitionTimeout);
        var accounted = producersDone && tally.Wait(Remaining(options.RepetitionTimeout, waiting.Elapsed));
        var collections = GcCollections.Now() - collectionsBefore;

        // Disposal drains what is left, and the queue reports the drops it still held, so only now are the counts
        // final; the file is complete once its sink is disposed.
        pipeline.Dispose();
        (file as IDisposable)?.Dispose();
        long? fileLines = path is null ? null : CountLines(path) - stamping.WarmUpDelivered;
        if (path is not null) System.IO.File.Delete(path);
        if (spool is not null) Directory.Delete(spool, recursive: true);

        return new PacedRound(producersDone ? callTicks : [], Deliveries(sentAt, receivedAt), events,
            tally.Delivered, ownDropped?.Invoke() ?? tally.Dropped, fileLines, sentAt.Max() - start,
            timed.Max(t => t.MaxBehindTicks), collections, accounted);
    }

    /// <summary>The delivery time of every event that arrived, in <see cref="Stopwatch"/> ticks.</summary>
    static long[] Deliveries(long[] sentAt, long[] receivedAt)
    {
        var deliveries = new List<long>(sentAt.Length);
        for (var i = 0; i < sentAt.Length; i++)
        {
            if (receivedAt[i] != 0) deliveries.Add(receivedAt[i] - sentAt[i]);
        }

        return [.. deliveries];
    }

    /// <summary>Join every thread within one shared <paramref name="timeout"/>. A producer still running after it
    /// is a background thread, and the round is marked incomplete.</summary>
    static bool JoinAll(Thread[] threads, TimeSpan timeout)
    {
        var waiting = Stopwatch.StartNew();
        return threads.All(thread => thread.Join(Remaining(timeout, waiting.Elapsed)));
    }

    static TimeSpan Remaining(TimeSpan timeout, TimeSpan elapsed) =>
        elapsed < timeout ? timeout - elapsed : TimeSpan.Zero;

    static long CountLines(string path)
    {
        var lines = 0L;
        var buffer = new byte[1 << 16];
        using var stream = System.IO.File.OpenRead(path);
        int read;
        while ((read = stream.Read(buffer)) > 0) lines += buffer.AsSpan(0, read).Count((byte)'\n');
        return lines;
    }
}
