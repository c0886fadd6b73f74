using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Holding;

/// <summary>
/// <c>WriteTo.Queue(..., hold: new HoldOptions(...))</c>: Python's <c>MemoryHandler</c>, per group, bounded.
/// </summary>
public class EventHoldingTests
{
    static Logger Holding(CollectingSink sink, HoldOptions hold, Action<QueueHandle>? monitor = null) =>
        new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Queue(a => a.Sink(sink), hold: hold, monitor: monitor)
            .CreateLogger();

    static List<string> Written(CollectingSink sink) => sink.Events.Select(e => e.RenderMessage()).ToList();

    [Test]
    public void ATriggerWritesItsGroupsHeldEventsInOrderThenItselfAndNobodyElses()
    {
        var sink = new CollectingSink();
        QueueHandle? handle = null;
        using (var logger = Holding(sink, new HoldOptions(per: "RequestId"), q => handle = q))
        {
            var a = logger.ForContext("RequestId", "a");
            var b = logger.ForContext("RequestId", "b");
            a.Debug("a1");
            b.Debug("b1");
            a.Verbose("a2");
            a.Information("a3 passes through");
            b.Debug("b2");
            a.Error("a4 the trigger");
            Assert.That(sink.WaitFor(4, Timeouts.Signal), Is.True);
            Assert.That(handle!.Flush(Timeouts.Signal), Is.True);

            Assert.That(Written(sink), Is.EqualTo(new[] { "a3 passes through", "a1", "a2", "a4 the trigger" }));
            Assert.That(handle.HeldCount, Is.EqualTo(2), "b's two events");

            // A second trigger of the same group finds nothing more held; b's trigger writes b's.
            a.Fatal("a5");
            b.Warning("b3 passes through");
            b.Error("b4");
            Assert.That(sink.WaitFor(9, Timeouts.Signal), Is.True);
            Assert.That(Written(sink).Skip(4), Is.EqualTo(new[] { "a5", "b3 passes through", "b1", "b2", "b4" }));
            Assert.That(handle.HeldCount, Is.Zero);
            Assert.That(handle.LetGoCount, Is.Zero);
        }
    }

    [Test]
    public void PerTraceGroupsByTheEventsTraceIdAndKeylessEventsShareAGroupOfTheirOwn()
    {
        var sink = new CollectingSink();
        using (var logger = Holding(sink, new HoldOptions(per: HoldOptions.TraceId)))
        {
            logger.Debug("keyless detail");
            using (new Activity("one").Start())
            {
                logger.Debug("trace one detail");
            }

            using (new Activity("two").Start())
            {
                logger.Debug("trace two detail");
                logger.Error("trace two error");
            }

            Assert.That(sink.WaitFor(2, Timeouts.Signal), Is.True);
            Assert.That(Written(sink), Is.EqualTo(new[] { "trace two detail", "trace two error" }));

            // A keyless trigger releases the keyless group only.
            logger.Error("keyless error");
            Assert.That(sink.WaitFor(4, Timeouts.Signal), Is.True);
            Assert.That(Written(sink).Skip(2), Is.EqualTo(new[] { "keyless detail", "keyless error" }));
        }

        // Disposal writes what is still held (Python's flushOnClose).
        Assert.That(Written(sink).Skip(4), Is.EqualTo(new[] { "trace one detail" }));
    }

    [Test]
    public void HeldEventsOlderThanTheAgeLimitAreLetGoAndCounted()
    {
        var sink = new CollectingSink();
        QueueHandle? handle = null;
        using var logger = Holding(sink, new HoldOptions(maxAge: TimeSpan.FromMilliseconds(200)), q => handle = q);
        logger.Debug("old detail");
        Assert.That(handle!.Flush(Timeouts.Signal), Is.True);

        // With nothing else arriving: the listener lets it go while it waits for work.
        Assert.That(SpinWait.SpinUntil(() => handle.LetGoCount == 1, Timeouts.Signal), Is.True);
        logger.Debug("new detail");
        logger.Error("the error");
        Assert.That(sink.WaitFor(2, Timeouts.Signal), Is.True);

        Assert.That(Written(sink), Is.EqualTo(new[] { "new detail", "the error" }));
        Assert.That(handle.HeldCount, Is.Zero);
        Assert.That(handle.LetGoCount, Is.EqualTo(1));
    }

    /// <summary>
    /// A flood of unique keys, each holding one event that no trigger ever releases: what the listener keeps stays
    /// under the limit, measured as live memory after ten times the events, not as a count the code could fake.
    /// Without the limit the heap would grow by some 90,000 events (tens of megabytes).
    /// </summary>
    [Test]
    public void AFloodOfUniqueKeysCannotGrowMemoryPastTheLimit()
    {
        const int limit = 1_000;
        const int first = 10_000;
        const int flood = 100_000;
        var sink = new CollectingSink();
        QueueHandle? handle = null;
        using var logger = Holding(sink, new HoldOptions(per: "RequestId", limit: limit), q => handle = q);

        LogUniqueKeys(logger, 0, first);
        Assert.That(handle!.Flush(Timeouts.Signal), Is.True);
        var afterFirst = LiveBytes();

        LogUniqueKeys(logger, first, flood);
        Assert.That(handle.Flush(Timeouts.Signal), Is.True);
        var afterFlood = LiveBytes();

        Assert.Multiple(() =>
        {
            Assert.That(handle.HeldCount, Is.EqualTo(limit));
            Assert.That(handle.LetGoCount, Is.EqualTo(flood - limit));
            Assert.That(sink.Events, Is.Empty);
            Assert.That(afterFlood - afterFirst, Is.LessThan(2_000_000), $"live bytes: {afterFirst:N0} then {afterFlood:N0}");
        });
    }

    static void LogUniqueKeys(ILogger logger, int from, int to)
    {
        for (var i = from; i < to; i++) logger.Debug("detail of {RequestId}", i);
    }

    static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Test]
    public void AtDisposalHeldEventsAreLetGoAndCountedWhenAskedTo()
    {
        var sink = new CollectingSink();
        QueueHandle? handle = null;
        var logger = Holding(sink, new HoldOptions(per: "RequestId", writeOnClose: false), q => handle = q);
        logger.ForContext("RequestId", 1).Debug("one");
        logger.ForContext("RequestId", 2).Debug("two");
        logger.Dispose();

        Assert.That(sink.Events, Is.Empty);
        Assert.That(handle!.LetGoCount, Is.EqualTo(2));
        Assert.That(handle.HeldCount, Is.Zero);
    }

    /// <summary>
    /// Producers hold and trigger while the logger is disposed under them: each detail event ends written, let go
    /// (and counted), or reported as not written (it came after the shutdown began), exactly once.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void HeldEventsRacingShutdownAreWrittenOrLetGoNeverBoth(bool writeOnClose)
    {
        const int producers = 4;
        const int perProducer = 20_000;
        var sink = new CollectingSink();
        var failures = new CollectingFailureListener();
        QueueHandle? handle = null;
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Fallible(
                f => f.Queue(a => a.Sink(sink), hold: new HoldOptions(per: "RequestId", limit: 500, writeOnClose: writeOnClose), monitor: q => handle = q),
                failures)
            .CreateLogger();
        using var started = new CountdownEvent(producers);
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            started.Signal();
            for (var i = 0; i < perProducer; i++)
            {
                var request = logger.ForContext("RequestId", $"{p}-{i / 10}");
                if (i % 10 == 9 && i % 20 == 19) request.Error("trigger {Producer} {Sequence}", p, i);
                else request.Debug("detail {Producer} {Sequence}", p, i);
            }
        })).ToArray();

        Assert.That(started.Wait(Timeouts.Signal), Is.True);
        logger.Dispose();
        Assert.That(Task.WaitAll(tasks, Timeouts.Signal), Is.True);

        static bool IsDetail(LogEvent e) => e.Level == LogEventLevel.Debug;
        var written = sink.Events.Where(IsDetail).Select(KeyOf).ToList();
        var reported = failures.FailedEvents.Where(IsDetail).Select(KeyOf).ToList();
        var logged = producers * perProducer * 19 / 20;
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.Unique);
            Assert.That(written.Intersect(reported), Is.Empty);
            Assert.That(handle!.HeldCount, Is.Zero);
        });

        // Events logged after disposal began are reported: every detail is accounted for, once.
        var accounted = written.Count + reported.Count + handle!.LetGoCount;
        Assert.That(accounted, Is.EqualTo(logged), $"written {written.Count}, reported {reported.Count}, let go {handle.LetGoCount}");
    }

    static (int, int) KeyOf(LogEvent e) =>
        ((int)((ScalarValue)e.Properties["Producer"]).Value!, (int)((ScalarValue)e.Properties["Sequence"]).Value!);

    [Test]
    public void BadOptionsAreRejectedNamingTheParameter()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HoldOptions(below: LogEventLevel.Error, until: LogEventLevel.Warning))!.ParamName, Is.EqualTo("until"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HoldOptions(below: (LogEventLevel)(-1)))!.ParamName, Is.EqualTo("below"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HoldOptions(limit: 0))!.ParamName, Is.EqualTo("limit"));
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HoldOptions(maxAge: TimeSpan.Zero))!.ParamName, Is.EqualTo("maxAge"));
            Assert.That(Assert.Throws<ArgumentException>(() => _ = new HoldOptions(per: " "))!.ParamName, Is.EqualTo("per"));
        });
    }
}
