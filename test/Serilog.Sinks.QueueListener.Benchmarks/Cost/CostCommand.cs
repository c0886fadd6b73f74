using System.Diagnostics;
using System.Globalization;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Cost;

/// <summary>
/// <c>cost MODE EVENTS</c>: a fixed amount of work and little else, for a profiler or a counter wrapped around the
/// process (<c>perf stat</c>, <c>perf record</c>), with the CPU time of each side measured on its own thread. A
/// warm-up of at least <see cref="WarmUpEvents"/> comes first in every mode, so that the difference between two runs
/// with different counts is the cost of the extra events alone, start-up and compilation cancelled out.
/// </summary>
/// <remarks>
/// <para>Modes: <c>sync</c>, a logger writing a prebuilt event straight to a counting sink (the floor); <c>queue</c>,
/// the same through <c>WriteTo.Queue</c> in Block mode with a 10,000-event buffer, producer and listener running
/// together; <c>spool</c>, the same through the durable queue (<c>spool:</c>, no flush policy, a limit large
/// enough that the producer never waits for room), so that its producer figure is the caller's cost of the spool and
/// its listener figure the cost of reading each record back; <c>drain</c>, the queue and the listener taking turns: the queue is filled while the listener is stopped,
/// then the listener drains it, round after round, so that neither side ever waits for the other.</para>
/// <para>Thread CPU time leaves out the time a thread waits for a core, which on a loaded machine is most of what a
/// wall clock measures; what remains is disturbed only by what the other threads do to the caches. In <c>queue</c>
/// mode a side that catches up with the other spins and yields, which its CPU time includes; in <c>drain</c> mode
/// nothing waits, so its figures are the per-event cost of each side.</para>
/// </remarks>
static class CostCommand
{
    const int WarmUpEvents = 2_000_000;
    const int QueueBufferSize = 10_000;

    /// <summary>The events of one round of <c>drain</c>: enough that starting and stopping the listener is lost in
    /// the round's cost.</summary>
    const int DrainRound = 1 << 20;

    static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static int Run(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var events))
        {
            throw new ArgumentException("cost takes a mode (sync, queue, spool or drain) and a number of events.");
        }

        var logEvent = PrebuiltEvent();
        using var sink = new CountdownSink();
        var done = args[0] switch
        {
            "sync" => ThroughLogger("sync", new LoggerConfiguration().WriteTo.Sink(sink), sink, logEvent, events),
            "queue" => ThroughLogger("queue",
                new LoggerConfiguration().WriteTo.Queue(a => a.Sink(sink), QueueBufferSize, QueueFullMode.Block),
                sink, logEvent, events),
            "spool" => Spooled(sink, logEvent, events),
            "drain" => InTurns(sink, logEvent, events),
            _ => throw new ArgumentException($"Unknown cost mode '{args[0]}'."),
        };

        return done ? 0 : 1;
    }

    static bool ThroughLogger(string mode, LoggerConfiguration configuration, CountdownSink sink, LogEvent logEvent,
        int events)
    {
        using var logger = configuration.MinimumLevel.Verbose().CreateLogger();
        if (!Write(logger, sink, logEvent, WarmUpEvents, out _, out _)) return Incomplete(mode, sink);
        if (!Write(logger, sink, logEvent, events, out var producerCpu, out var wall)) return Incomplete(mode, sink);

        var line = string.Format(CultureInfo.InvariantCulture,
            "{0} {1:N0} events after {2:N0} to warm up: producer {3:F2} ns of CPU per event", mode, events,
            WarmUpEvents, (double)producerCpu / events);
        if (mode != "sync")
        {
            line += string.Format(CultureInfo.InvariantCulture, ", listener {0:F2}",
                (double)sink.EmitterCpuNanoseconds / (events - 1));
        }

        Console.WriteLine(line + string.Format(CultureInfo.InvariantCulture, "; {0:F2} ns of wall time per event",
            wall / events));
        return true;

        static bool Write(ILogger logger, CountdownSink sink, LogEvent logEvent, int count, out long cpu,
            out double wallNanoseconds)
        {
            sink.ExpectTotal(sink.Count + count);
            var start = Stopwatch.GetTimestamp();
            var cpuBefore = ThreadCpu.NowNanoseconds() ?? 0;
            for (var i = 0; i < count; i++) logger.Write(logEvent);
            cpu = (ThreadCpu.NowNanoseconds() ?? 0) - cpuBefore;
            var reached = sink.Wait(Patience);
            wallNanoseconds = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            return reached;
        }
    }

    static bool Spooled(CountdownSink sink, LogEvent logEvent, int events)
    {
        var spool = Path.Combine(Path.GetTempPath(), "Serilog.Sinks.QueueListener.Benchmarks", "cost-" + Guid.NewGuid().ToString("n"));
        try
        {
            return ThroughLogger("spool",
                new LoggerConfiguration().WriteTo.Queue(a => a.Sink(sink), spool: spool, spoolSizeLimit: 16L * 1024 * 1024 * 1024),
                sink, logEvent, events);
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    static bool InTurns(CountdownSink sink, LogEvent logEvent, int events)
    {
        var warmUpRounds = (WarmUpEvents + DrainRound - 1) / DrainRound;
        var rounds = Math.Max(1, events / DrainRound);
        var fills = new List<double>();
        var drains = new List<double>();

        var queue = new LogEventQueue(DrainRound, QueueFullMode.Block);
        using var listener = new Queue.QueueListener(queue, sink);
        for (var round = 0; round < warmUpRounds + rounds; round++)
        {
            var cpuBefore = ThreadCpu.NowNanoseconds() ?? 0;
            for (var i = 0; i < DrainRound; i++) queue.Enqueue(logEvent, CancellationToken.None);
            var fill = (ThreadCpu.NowNanoseconds() ?? 0) - cpuBefore;

            sink.ExpectTotal(sink.Count + DrainRound);
            listener.Start();
            if (!sink.Wait(Patience)) return Incomplete("drain", sink);
            listener.Stop();

            if (round < warmUpRounds) continue;
            fills.Add((double)fill / DrainRound);
            drains.Add((double)sink.EmitterCpuNanoseconds / (DrainRound - 1));
        }

        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "drain {0} rounds of {1:N0} events after {2} to warm up, ns of CPU per event: listener min {3:F2} median {4:F2}, producer min {5:F2} median {6:F2}",
            rounds, DrainRound, warmUpRounds, drains.Min(), Median(drains), fills.Min(), Median(fills)));
        return true;
    }

    static bool Incomplete(string mode, CountdownSink sink)
    {
        Console.WriteLine($"{mode}: INCOMPLETE, {sink.Count:N0} delivered");
        return false;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The same event as the throughput benchmark's prebuilt shape.</summary>
    static LogEvent PrebuiltEvent() => new(
        DateTimeOffset.UtcNow,
        LogEventLevel.Information,
        null,
        new MessageTemplateParser().Parse("Order {OrderId} for {Customer}"),
        [
            new LogEventProperty("OrderId", new ScalarValue(0)),
            new LogEventProperty("Customer", new ScalarValue("Alice")),
        ]);
}
