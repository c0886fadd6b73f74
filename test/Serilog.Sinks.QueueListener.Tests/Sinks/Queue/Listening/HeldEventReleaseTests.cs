using Serilog.Events;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Listening;

public class HeldEventReleaseTests
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMilliseconds(200);
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public void WhenTheShutdownGivesUpWhatAHoldingSinkInsideAWrapperHoldsIsReportedOnce()
    {
        var sink = new ReleasingSink(capacity: 5);
        var failures = new CollectingFailureListener();
        // Level-restricted, so that Serilog wraps the sink, and the listener has to look inside.
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.Sink(sink, LogEventLevel.Debug), shutdownTimeout: ShutdownTimeout), failures)
            .CreateLogger();

        LogAndClose(logger, sink, 20);

        Assert.Multiple(() =>
        {
            Assert.That(ReportedNumbers(failures), Is.EqualTo(Enumerable.Range(0, 20)));
            Assert.That(sink.ReleaseCount, Is.EqualTo(1));
            Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("held by the sink"));
        });
    }

    [Test]
    public void TheEventAStuckSinkHandedBackIsNotReportedAgainAsPossiblyWritten()
    {
        using var sink = new ReleasingSink(capacity: 5, stayStuck: true);
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.Sink(sink), shutdownTimeout: ShutdownTimeout), failures)
            .CreateLogger();

        LogAndClose(logger, sink, 20);

        Assert.Multiple(() =>
        {
            Assert.That(ReportedNumbers(failures), Is.EqualTo(Enumerable.Range(0, 20)));
            Assert.That(failures.PossiblyWrittenEvents, Is.Empty);
        });
    }

    [Test]
    public void TheEventAStuckSinkHandedBackIsRecognisedWhenTheListenerPreparedACopy()
    {
        using var sink = new ReleasingSink(capacity: 5, stayStuck: true);
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.Sink(sink), shutdownTimeout: ShutdownTimeout,
                prepare: e => e.WithProperty("Prepared", true)), failures)
            .CreateLogger();

        LogAndClose(logger, sink, 20);

        Assert.Multiple(() =>
        {
            Assert.That(ReportedNumbers(failures), Is.EqualTo(Enumerable.Range(0, 20)));
            Assert.That(failures.PossiblyWrittenEvents, Is.Empty);
        });
    }

    static void LogAndClose(Serilog.Core.Logger logger, ReleasingSink sink, int count)
    {
        for (var i = 0; i < count; i++) logger.Information("Event {N}", i);
        Assert.That(sink.WaitUntilFull(Wait), Is.True, "the sink never filled");
        logger.Dispose();
    }

    /// <summary>Every number reported, in order, with repeats kept, so that an event reported twice shows.</summary>
    static List<int> ReportedNumbers(CollectingFailureListener failures) =>
        [.. failures.FailedEvents.Select(e => int.Parse(e.Properties["N"].ToString(), System.Globalization.CultureInfo.InvariantCulture)).Order()];
}
