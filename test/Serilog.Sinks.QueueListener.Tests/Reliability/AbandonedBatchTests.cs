using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A shutdown that times out while the listener holds a batch: the events it took off the queue but had not
/// written are reported with the events themselves, once, at the shutdown; none is left to a count, to a listener
/// thread that may never get free, or to both.
/// </summary>
public class AbandonedBatchTests
{
    static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(5);

    /// <summary>A message that claims a number of events, as in "511 events" or "88 queued events".</summary>
    static readonly Regex ClaimsACount = new(@"\b\d+(\s+\w+){0,2}\s+events?\b", RegexOptions.IgnoreCase);

    [Test]
    public void AtAShutdownTimeoutEveryEventButTheOneInTheStuckSinkIsReportedOnceWithTheEventItself()
    {
        const int events = 600;
        var gated = new GatedSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(1000, QueueFullMode.Block), gated, TimeSpan.FromMilliseconds(200));
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        try
        {
            // Queued before the start, so that the listener's first batch takes 512 of them at once and then stops
            // on event 0 in the sink: it holds 1 to 511, and 512 to 599 stay in the queue.
            for (var i = 0; i < events; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
            listener.Start();
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

            var disposing = Task.Run(sink.Dispose);

            Assert.That(disposing.Wait(DisposeBound), Is.True, "disposing the sink did not return");
            AssertEveryEventButTheFirstReportedOnceWithItsEvent(failures, events);
        }
        finally
        {
            gated.Open();
        }

        // Set free, the listener thread writes the event it was stuck on and reports nothing a second time.
        Assert.That(gated.WaitFor(1, Timeouts.Signal), Is.True);
        Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Timeouts.Signal), Is.True);
        Assert.That(gated.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
        AssertEveryEventButTheFirstReportedOnceWithItsEvent(failures, events);
    }

    [Test]
    public void AtAShutdownTimeoutASlowSinkLeavesEveryEventWrittenOrReportedExactlyOnce()
    {
        const int events = 400;
        var slow = new SlowSink(TimeSpan.FromMilliseconds(5));
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(1000, QueueFullMode.Block), slow, TimeSpan.FromMilliseconds(100));
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        for (var i = 0; i < events; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        var disposing = Task.Run(sink.Dispose);

        Assert.That(disposing.Wait(DisposeBound), Is.True, "disposing the sink did not return");
        Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Timeouts.Signal), Is.True);
        var written = slow.Events.Select(Some.SequenceOf).ToList();
        var reported = failures.FailedEvents.Select(Some.SequenceOf).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(written.Concat(reported).Order(), Is.EqualTo(Enumerable.Range(0, events)), "written and reported");
            Assert.That(written.Intersect(reported), Is.Empty, "both written and reported");
            Assert.That(written, Is.EqualTo(Enumerable.Range(0, written.Count)), "written out of order");
            Assert.That(failures.Failures.Select(f => f.Message), Has.None.Contains("stuck").IgnoreCase);
        });
    }

    static void AssertEveryEventButTheFirstReportedOnceWithItsEvent(CollectingFailureListener failures, int events)
    {
        var reports = failures.Failures;
        var reported = reports.SelectMany(f => f.Events).Select(Some.SequenceOf).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(reported.Where(s => s != 0).Order(), Is.EqualTo(Enumerable.Range(1, events - 1)),
                "events 1 to 599, each reported once with the event");
            Assert.That(reported.Count(s => s == 0), Is.LessThanOrEqualTo(1), "event 0 reported more than once");
            Assert.That(reports.Where(f => f.Events.Count > 0).Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Final));
            Assert.That(reports.Select(f => f.Message), Has.None.Contains("stuck").IgnoreCase);
            Assert.That(reports.Where(f => f.Events.Count == 0 && ClaimsACount.IsMatch(f.Message)).Select(f => f.Message), Is.Empty,
                "reports that claim a count of events without the events");
        });
    }
}
