using System.Diagnostics;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;

namespace Serilog.Sinks.QueueListener.Benchmarks.LevelAware;

/// <summary>
/// <c>level-aware [--quick]</c>: what holding and flushing at a level cost. Holding: one producer at full speed logs
/// Debug events, ten to a request, through <c>WriteTo.Queue</c> without <c>hold</c>, with <c>hold</c> and no
/// trigger, and with one request in a hundred ending in an error; the caller's time per call and the listener's
/// events per second. Flushing: errors at 1,000 a second into a File sink, without and with <c>flushAtLevel</c>,
/// and the process's CPU time per second of the run. Prints Markdown tables.
/// </summary>
static class LevelAwareHarness
{
    const int EventsPerRequest = 10;

    public static void Run(bool quick, TextWriter output)
    {
        var events = quick ? 100_000 : 2_000_000;
        var flushSeconds = quick ? 1 : 5;
        output.WriteLine($"Machine: {MachineInfo.Current()}; load average {MachineInfo.ReadLoadAverage()}");
        output.WriteLine();
        output.WriteLine("| holding | events | caller ns/call | listener events/s | written | let go |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");

        // Once unreported, so that the reported runs measure compiled code, not the JIT.
        Hold(null, events / 10, triggerEvery: 0);
        WriteHoldRow(output, "none (written at once)", Hold(null, events, triggerEvery: 0));
        WriteHoldRow(output, "per request, no trigger", Hold(new HoldOptions(per: "RequestId"), events, triggerEvery: 0));
        WriteHoldRow(output, "per request, 1 in 100 fails", Hold(new HoldOptions(per: "RequestId"), events, triggerEvery: 100));

        output.WriteLine();
        output.WriteLine("| flushAtLevel | errors/s | seconds | errors written | process CPU ms per s |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        WriteFlushRow(output, null, FlushAtRate(null, flushSeconds));
        WriteFlushRow(output, LogEventLevel.Error, FlushAtRate(LogEventLevel.Error, flushSeconds));
    }

    sealed record HoldResult(int Events, double CallerNanoseconds, double ListenerEventsPerSecond, long Written, long LetGo);

    sealed record FlushResult(int Errors, double Seconds, double CpuMillisecondsPerSecond);

    static HoldResult Hold(HoldOptions? hold, int events, int triggerEvery)
    {
        var written = new CountingEvents();
        QueueHandle? handle = null;
        var logger = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .WriteTo.Queue(a => a.Sink(written), hold: hold, monitor: q => handle = q)
            .CreateLogger();
        var requests = events / EventsPerRequest;
        var started = Stopwatch.GetTimestamp();
        for (var request = 0; request < requests; request++)
        {
            var fails = triggerEvery > 0 && request % triggerEvery == 0;
            for (var i = 0; i < EventsPerRequest; i++)
            {
                if (fails && i == EventsPerRequest - 1) logger.Error("request {RequestId} failed at {Step}", request, i);
                else logger.Debug("request {RequestId} step {Step}", request, i);
            }
        }

        var called = Stopwatch.GetTimestamp();
        while (handle!.HandledCount < requests * EventsPerRequest) Thread.Sleep(1);
        var handled = Stopwatch.GetTimestamp();
        var result = new HoldResult(
            requests * EventsPerRequest,
            Stopwatch.GetElapsedTime(started, called).TotalMilliseconds * 1e6 / (requests * EventsPerRequest),
            requests * EventsPerRequest / Stopwatch.GetElapsedTime(started, handled).TotalSeconds,
            written.Count,
            handle.LetGoCount);
        logger.Dispose();
        return result;
    }

    static FlushResult FlushAtRate(LogEventLevel? flushAtLevel, int seconds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "level-aware-bench-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        try
        {
            var logger = new LoggerConfiguration()
                .WriteTo.Queue(a => a.File(Path.Combine(folder, "errors.log"), formatProvider: CultureInfo.InvariantCulture), flushAtLevel: flushAtLevel)
                .CreateLogger();
            var errors = seconds * 1000;
            var cpuAtStart = ProcessCpu.Now();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < errors; i++)
            {
                // One error a millisecond, on a schedule rather than after each call, so that a slow call does not
                // lower the rate.
                var due = started + i * Stopwatch.Frequency / 1000;
                while (Stopwatch.GetTimestamp() < due) Thread.Sleep(0);
                logger.Error("error {Sequence}", i);
            }

            logger.Dispose();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return new FlushResult(errors, elapsed, (ProcessCpu.Now() - cpuAtStart).TotalMilliseconds / elapsed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static void WriteHoldRow(TextWriter output, string name, HoldResult r) =>
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:N0} | {2:F0} | {3:N0} | {4:N0} | {5:N0} |",
            name, r.Events, r.CallerNanoseconds, r.ListenerEventsPerSecond, r.Written, r.LetGo));

    static void WriteFlushRow(TextWriter output, LogEventLevel? level, FlushResult r) =>
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | 1,000 | {1:F1} | {2:N0} | {3:F1} |",
            level?.ToString() ?? "off", r.Seconds, r.Errors, r.CpuMillisecondsPerSecond));

    /// <summary>Counts what the listener writes.</summary>
    sealed class CountingEvents : ILogEventSink
    {
        long _count;

        public long Count => Volatile.Read(ref _count);

        public void Emit(LogEvent logEvent) => Volatile.Write(ref _count, _count + 1);
    }
}
