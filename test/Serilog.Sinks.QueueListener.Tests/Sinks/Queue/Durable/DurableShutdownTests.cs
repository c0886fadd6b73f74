using Serilog.Core;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// A shutdown that gives up on a stuck sink over a spool: what it leaves is reported as kept in the spool (not as
/// lost, and not with the events, which a fallback sink would write a second time), and the spool does keep it: an
/// acknowledgement never moves the checkpoint past an event that was not written.
/// </summary>
public class DurableShutdownTests
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMilliseconds(200);

    [Test]
    public void WithAFailureListenerWhatAGiveUpLeavesIsReportedAsKeptInTheSpoolWithoutTheEvents()
    {
        using var folder = new TempFolder();
        var failures = new CollectingFailureListener();
        var sink = new GatedSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(f => f.Queue(a => a.Sink(sink), spool: folder.Path, shutdownTimeout: ShutdownTimeout), failures)
            .CreateLogger();
        for (var i = 0; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);

        var disposal = Task.Run(logger.Dispose);
        Assert.That(disposal.Wait(Timeouts.Signal), Is.True, "disposal must be bounded by the shutdown timeout");
        var reports = failures.Failures;
        sink.Open();

        var kept = $"they stay in the spool {folder.Path}, and the next start over it writes them";
        Assert.Multiple(() =>
        {
            // The nine behind the stuck event were taken by the listener in its batch, or by the shutdown from the spool.
            Assert.That(reports.Where(f => f.Kind == LoggingFailureKind.Temporary).Select(f => f.Message),
                Has.Some.Contains("were not written by this listener: " + kept));
            Assert.That(reports.Where(f => f.Kind == LoggingFailureKind.Temporary).Select(f => f.Message),
                Has.Some.Contains("may or may not be written, and it is not acknowledged unless it is: " + kept),
                "the event the sink held is in the spool too");
            Assert.That(reports.Where(f => f.Kind == LoggingFailureKind.Final).Select(f => f.Message), Has.None.Contains("were not written"),
                "events kept in the spool were reported as lost");
            Assert.That(reports.SelectMany(f => f.Events), Is.Empty,
                "events kept in the spool were handed to the failure listener, which may write them elsewhere");
        });

        using var next = new DurableLogEventQueue(folder.Path);
        Assert.That(DrainNow(next).Select(Some.SequenceOf).ToList(), Is.EqualTo(Enumerable.Range(0, 10)), "the spool did not keep them");
    }

    [Test]
    public void WithTheDefaultConfigurationStandardErrorSaysWhatAGiveUpLeftIsKeptInTheSpool()
    {
        // Reports reach standard error only while SelfLog is off; another test may have left it on.
        SelfLog.Disable();
        var output = new StringWriter();
        var original = StandardErrorReports.Output;
        StandardErrorReports.Output = () => output;
        StandardErrorReports.Reset();
        using var folder = new TempFolder();
        var sink = new GatedSink();
        try
        {
            var logger = new LoggerConfiguration()
                .WriteTo.Queue(a => a.Sink(sink), spool: folder.Path, shutdownTimeout: ShutdownTimeout)
                .CreateLogger();
            for (var i = 0; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
            Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);
            var disposal = Task.Run(logger.Dispose);
            Assert.That(disposal.Wait(Timeouts.Signal), Is.True, "disposal must be bounded by the shutdown timeout");
        }
        finally
        {
            sink.Open();
            StandardErrorReports.Output = original;
            StandardErrorReports.Reset();
        }

        var lines = output.ToString().Split('\n');
        Assert.That(lines, Has.Some.Contains("(temporary)").And.Contains($"were not written by this listener: they stay in the spool {folder.Path}"),
            output.ToString());
        Assert.That(lines.Where(l => l.Contains("(final)", StringComparison.Ordinal)), Has.None.Contains("were not written"), output.ToString());
    }

    [Test]
    public void AnAbandonedListenerThatFinishesItsBatchAcknowledgesThatBatchAloneNotWhatTheShutdownTookAfterIt()
    {
        using var folder = new TempFolder();
        var sink = new GatedSink();
        var failures = new CollectingFailureListener();
        var queue = new DurableLogEventQueue(folder.Path);
        queue.SetFailureListener(failures);
        var owner = new QueueSink(queue, new Serilog.Sinks.Queue.QueueListener(queue, sink), ShutdownTimeout);
        owner.SetFailureListener(failures);
        owner.Listener!.Start();
        using (var logger = new LoggerConfiguration().WriteTo.Sink(new QueueSink(queue)).CreateLogger())
        {
            // A batch of one, its only event stuck in the sink; then nine more the listener cannot take.
            logger.Information("Event {Sequence} from {Producer}", 0, 0);
            Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);
            for (var i = 1; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);

            // The shutdown gives up and takes the nine from the spool to report them; then the stuck event is written,
            // its batch acknowledged, and the listener thread ends.
            owner.Dispose();
            sink.Open();
            Assert.That(sink.WaitUntilDisposed(Timeouts.Signal), Is.True, "the abandoned listener thread did not end");
        }

        queue.Dispose();
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("9 queued events were not written by this listener: they stay in the spool"));

        using var next = new DurableLogEventQueue(folder.Path);
        Assert.That(DrainNow(next).Select(Some.SequenceOf).ToList(), Is.EqualTo(Enumerable.Range(1, 9)),
            "the acknowledgement of the stuck batch moved the checkpoint past events the shutdown took and nobody wrote");
    }
}
