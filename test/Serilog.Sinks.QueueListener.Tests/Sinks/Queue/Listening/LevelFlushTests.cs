using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Listening;

/// <summary>
/// <c>WriteTo.Queue(..., flushAtLevel: ...)</c>: after an event at the level reaches the sinks, they are flushed
/// before the next event is handled; under a flood, at most once per interval, the last one always.
/// </summary>
public class LevelFlushTests
{
    /// <summary>
    /// A real File sink, buffered, so that a line reaches the file only when the sink flushes; after it, a sink that
    /// reads the file each time an event reaches it. When the event after the error arrives, the error must be on
    /// disk already. Without <c>flushAtLevel</c> it is not (the control, which shows that the probe can tell).
    /// </summary>
    [TestCase(LogEventLevel.Error, true)]
    [TestCase(null, false)]
    public void TheErrorIsInTheFileBeforeTheNextEventIsHandled(LogEventLevel? flushAtLevel, bool expectedOnDisk)
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var linesWhenNextArrived = new List<string>();
        var probe = new CallbackSink(e =>
        {
            if (e.MessageTemplate.Text == "next") linesWhenNextArrived.AddRange(LogFile.ReadLines(path));
        });

        using (var logger = new LoggerConfiguration()
            .WriteTo.Queue(
                a =>
                {
                    a.File(path, outputTemplate: "{Level:u3} {Message}{NewLine}", buffered: true);
                    a.Sink(probe);
                },
                flushAtLevel: flushAtLevel)
            .CreateLogger())
        {
            logger.Information("before");
            logger.Error("the error");
            logger.Information("next");
            Assert.That(probe.WaitFor(3, Timeouts.Signal), Is.True);
        }

        if (expectedOnDisk)
        {
            Assert.That(linesWhenNextArrived, Is.EqualTo(new[] { "INF before", "ERR the error" }));
        }
        else
        {
            Assert.That(linesWhenNextArrived, Does.Not.Contain("ERR the error"));
        }

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[] { "INF before", "ERR the error", "INF next" }));
    }

    /// <summary>
    /// A flood of errors flushes the sinks a few times, not once per error, and the last flush covers the last
    /// error, although nothing follows it: the listener flushes before it waits for more.
    /// </summary>
    [Test]
    public void AFloodOfErrorsIsFlushedAFewTimesAndTheLastErrorIsFlushed()
    {
        const int errors = 50_000;
        var sink = new FlushRecordingSink();
        var stopwatch = Stopwatch.StartNew();
        using (var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(sink), flushAtLevel: LogEventLevel.Error)
            .CreateLogger())
        {
            for (var i = 0; i < errors; i++) logger.Error("error {Sequence}", i);

            Assert.That(sink.WaitFor(errors, Timeouts.Signal), Is.True);

            // The flush after the last error happens with no event after it, when the listener finds the queue empty.
            Assert.That(SpinWait.SpinUntil(() => LastFlushCovered(sink) == errors, Timeouts.Signal), Is.True,
                $"the last flush covered {LastFlushCovered(sink)} of {errors} errors");
            stopwatch.Stop();
            var flushes = sink.EventsAtFlush.Count;
            // Two flushes are at least 10 ms apart: one waits out the 100 ms interval, or 10 ms without events after
            // the error that made it pending, which came after the flush before. On a loaded machine the producer
            // may pause long enough to end a burst, so the bound is that, not one per interval; without coalescing
            // there would be one flush per error.
            var mostFlushes = stopwatch.Elapsed.TotalMilliseconds / 10 + 1;
            Assert.That(flushes, Is.InRange(1, mostFlushes), $"{flushes} flushes in {stopwatch.ElapsedMilliseconds} ms");
        }
    }

    static int LastFlushCovered(FlushRecordingSink sink) => sink.EventsAtFlush is { Count: > 0 } flushes ? flushes[^1] : 0;

    [Test]
    public void EventsBelowTheLevelCauseNoFlush()
    {
        var sink = new FlushRecordingSink();
        using (var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Queue(a => a.Sink(sink), flushAtLevel: LogEventLevel.Error)
            .CreateLogger())
        {
            logger.Warning("warning");
            logger.Error("error");
            logger.Information("information");
            Assert.That(SpinWait.SpinUntil(() => sink.EventsAtFlush.Count == 1, Timeouts.Signal), Is.True);

            // Flushed after the error, before the information was handled; no flush from the warning.
            Assert.That(sink.EventsAtFlush, Is.EqualTo(new[] { 2 }));
        }
    }

    [Test]
    public void AnUndefinedLevelIsRejectedNamingTheParameter()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new CollectingSink()), flushAtLevel: (LogEventLevel)42));
        Assert.That(exception!.ParamName, Is.EqualTo("flushAtLevel"));
    }
}
