using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// The hidden <c>redis-producer</c> command: one producer process of the <c>redis</c> mode, started by
/// <see cref="ProducerProcess"/>. It builds its logger, warms it up, prints <c>READY n</c> (n warm-up calls), waits
/// for <c>GO start</c> on its standard input, logs its share of the events, disposes the logger (which drains the
/// queue into Redis), and prints a <see cref="ProducerResult"/> line.
/// </summary>
/// <remarks>
/// Arguments: <c>redis-producer REDIS KEY CONFIGURATION EVENTS RATE|max PRODUCER PRODUCERS WARMUP_MS MAX_WARMUP_MS SHARDS</c>. Each call is
/// <c>logger.Information("Order {OrderId} for {Customer}", id, name)</c>, where the id is the event's index in the
/// whole run (producer p logs <c>p·EVENTS</c> to <c>(p+1)·EVENTS − 1</c>), so the collector can tell a lost event from
/// a duplicate; warm-up calls log -1. At a fixed rate the producers share one schedule, as in the paced latency
/// benchmark, starting at <c>start</c>, a <see cref="Stopwatch"/> timestamp of the parent's: on Linux (and Windows)
/// that clock is the system's monotonic clock, the same in every process.
/// </remarks>
static class ProducerCommand
{
    public const string Name = "redis-producer";
    public const string Ready = "READY";
    public const string Go = "GO";

    /// <summary>How long the JIT must have compiled nothing for the warm-up to end (after its shortest time).</summary>
    static readonly TimeSpan JitQuiet = TimeSpan.FromMilliseconds(250);

    static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(60);

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count != 10) throw new ArgumentException($"{Name} takes REDIS KEY CONFIGURATION EVENTS RATE|max PRODUCER PRODUCERS WARMUP_MS MAX_WARMUP_MS SHARDS.");

        var redis = args[0];
        var key = args[1];
        var configuration = Enum.Parse<ProducerConfiguration>(args[2]);
        var events = int.Parse(args[3], CultureInfo.InvariantCulture);
        int? rate = args[4] == "max" ? null : int.Parse(args[4], CultureInfo.InvariantCulture);
        var producer = int.Parse(args[5], CultureInfo.InvariantCulture);
        var producers = int.Parse(args[6], CultureInfo.InvariantCulture);
        var warmUp = TimeSpan.FromMilliseconds(int.Parse(args[7], CultureInfo.InvariantCulture));
        var maxWarmUp = TimeSpan.FromMilliseconds(int.Parse(args[8], CultureInfo.InvariantCulture));
        var shards = int.Parse(args[9], CultureInfo.InvariantCulture);

        SelfLog.Enable(Console.Error);
        using var tally = new Tally();
        var failures = new TallyFailureListener(tally);
        QueueHandle? queue = null;
        var sink = configuration switch
        {
            ProducerConfiguration.QueueBatched => LoggerSinkConfiguration.CreateSink(w =>
                w.Queue(a => a.RedisStream(redis, key, shards: shards), monitor: q => queue = q)),
            ProducerConfiguration.QueueOnePerEntry => LoggerSinkConfiguration.CreateSink(w =>
                w.Queue(a => a.RedisStream(redis, key, batchSizeLimit: 1, shards: shards), monitor: q => queue = q)),
            ProducerConfiguration.NaiveXadd => new NaiveStreamSink(redis, key),
            ProducerConfiguration.InProcessQueue => LoggerSinkConfiguration.CreateSink(w =>
                w.Queue(a => a.Sink(new CountingSink(tally)), monitor: q => queue = q)),
            _ => throw new ArgumentOutOfRangeException(nameof(args), configuration, "Not a producer configuration."),
        };
        ((ISetLoggingFailureListener)sink).SetFailureListener(failures);
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        var warmUpCalls = WarmUp(logger, warmUp, maxWarmUp);

        // Everything warm-up logged is in Redis before the parent is told, so the run starts from an empty queue.
        if (queue is not null && !queue.Flush(FlushTimeout)) throw new TimeoutException("The warm-up events were not flushed.");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Ready} {warmUpCalls}"));
        Console.Out.Flush();
        var go = Console.In.ReadLine() ?? throw new InvalidOperationException("The parent closed standard input before GO.");
        var start = long.Parse(go[(Go.Length + 1)..], CultureInfo.InvariantCulture);

        var costsBefore = ProcessCosts.Now();
        var callerCpuBefore = ThreadCpu.Nanoseconds();
        var begin = Stopwatch.GetTimestamp();
        var result = rate is { } perSecond
            ? Paced(logger, producer, producers, events, start, perSecond)
            : AtFullSpeed(logger, producer, events);
        var callerCpu = ThreadCpu.Nanoseconds() - callerCpuBefore;
        // Disposes the sink too: for a queue, once everything logged has been handed on.
        logger.Dispose();
        var end = Stopwatch.GetTimestamp();
        var costs = ProcessCosts.Now() - costsBefore;

        result = result with
        {
            TotalNanoseconds = Nanoseconds(end - begin),
            CpuNanoseconds = costs.Cpu.TotalNanoseconds,
            CallerCpuNanoseconds = callerCpu,
            AllocatedBytes = costs.AllocatedBytes,
            GcPauseNanoseconds = costs.GcPause.TotalNanoseconds,
            Failed = tally.Dropped,
            FailureReports = failures.ReportsWithoutEvents,
            Delivered = configuration == ProducerConfiguration.InProcessQueue ? tally.Delivered - warmUpCalls : -1,
        };
        Console.Out.WriteLine(result.ToLine());
        Console.Out.Flush();
        return 0;
    }

    /// <summary>
    /// Calls as fast as the pipeline takes them for at least <paramref name="shortest"/>, then until the JIT has
    /// compiled nothing for <see cref="JitQuiet"/>, for at most <paramref name="longest"/>, so that the measured calls
    /// and the threads behind them (the queue's listener formatting CLEF, the connection) run compiled at their final
    /// tier.
    /// </summary>
    /// <remarks>
    /// Tiered compilation recompiles a method at its final tier only after it has been called a number of times and
    /// no new method has been compiled for a while; a producer under full load keeps compiling for seconds. A fixed
    /// 50,000 warm-up calls measured the JIT at work: a producer process spent 2.9 µs of CPU per event where, warmed
    /// up, it spends 1.0.
    /// </remarks>
    static int WarmUp(ILogger logger, TimeSpan shortest, TimeSpan longest)
    {
        var customers = ThroughputRun.Customers;
        var start = Stopwatch.GetTimestamp();
        var compiled = JitInfo.GetCompiledMethodCount();
        var lastCompiled = start;
        var calls = 0;
        while (true)
        {
            logger.Information(ThroughputRun.Template, -1, customers[calls & 7]);
            calls++;
            if ((calls & 1023) != 0 && calls > 1) continue;

            var now = Stopwatch.GetTimestamp();
            var count = JitInfo.GetCompiledMethodCount();
            if (count != compiled)
            {
                compiled = count;
                lastCompiled = now;
            }

            var elapsed = Stopwatch.GetElapsedTime(start, now);
            if (elapsed >= longest) return calls;
            if (elapsed >= shortest && Stopwatch.GetElapsedTime(lastCompiled, now) >= JitQuiet) return calls;
        }
    }

    static ProducerResult AtFullSpeed(ILogger logger, int producer, int events)
    {
        var first = producer * events;
        var customers = ThroughputRun.Customers;
        var start = Stopwatch.GetTimestamp();
        for (var i = first; i < first + events; i++) logger.Information(ThroughputRun.Template, i, customers[i & 7]);
        var loop = Stopwatch.GetTimestamp() - start;
        return new ProducerResult(events, Nanoseconds(loop), 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static ProducerResult Paced(ILogger logger, int producer, int producers, int events, long start, int rate)
    {
        // The paced benchmark's producer, as it is: it writes only its own block of these, at its own event ids.
        var sentAt = new long[producers * events];
        var callTicks = new long[producers * events];
        var paced = new PacedProducer(producer, producers, events, sentAt, callTicks);

        var loopStart = Stopwatch.GetTimestamp();
        paced.Run(logger, start, rate);
        var loop = Stopwatch.GetTimestamp() - loopStart;

        var first = producer * events;
        var calls = callTicks.AsSpan(first, events).ToArray();
        Array.Sort(calls);
        var sent = sentAt.AsSpan(first, events);
        var sentSeconds = (sent[^1] - sent[0]) / (double)Stopwatch.Frequency;
        return new ProducerResult(events, Nanoseconds(loop), 0, 0, 0, 0, 0, 0, 0, 0,
            Nanoseconds(Percentile.Of<long>(calls, 50)), Nanoseconds(Percentile.Of<long>(calls, 99)),
            Nanoseconds(Percentile.Of<long>(calls, 99.9)), Nanoseconds(calls[^1]), Nanoseconds(paced.MaxBehindTicks),
            (events - 1) / sentSeconds);
    }

    static double Nanoseconds(long ticks) => ticks * 1e9 / Stopwatch.Frequency;
}
