using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A sink whose own listener is not running: never started (a mistake in hand-built wiring), or stopped for a while.
/// A producer must not wait for it silently and forever, and no event may be lost.
/// </summary>
public class ListenerNotRunningTests
{
    [Test]
    public void AnOwnedListenerThatWasNeverStartedNeitherBlocksProducersForeverNorLosesTheirEvents()
    {
        const int events = 10;
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(2, QueueFullMode.Block), collecting, TimeSpan.FromSeconds(5));

        var logging = BoundedCall.Run(() =>
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        }, TimeSpan.FromSeconds(10));

        // Disposed whatever happened above: disposal also releases a producer still waiting for room.
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(logging.Completed, Is.True, "the producer was still blocked after 10 s");
        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        var neverStarted = failures.Failures.Where(f => f.Message.Contains("never started", StringComparison.OrdinalIgnoreCase));
        Assert.That(neverStarted, Has.Exactly(1).Items);
    }

    [Test]
    public void AProducerWaitingOnAStoppedListenerIsReportedAndGoesOnOnceTheListenerStartsAgain()
    {
        const int events = 6;
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(2, QueueFullMode.Block), collecting, null);
        listener.Start();
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);

        var producing = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        BoundedCall.Outcome disposal;
        try
        {
            // The queue fills after two events; Block mode waits while the listener is stopped, but not silently.
            var reported = SpinWait.SpinUntil(
                () => failures.Failures.Any(f => f.Message.Contains("not running", StringComparison.OrdinalIgnoreCase)),
                Timeouts.Signal);
            Assert.That(reported, Is.True, "no report that the listener is not running");
            Assert.That(producing.IsCompleted, Is.False, "the producer did not wait for the stopped listener");

            listener.Start();
            Assert.That(producing.Wait(TimeSpan.FromSeconds(10)), Is.True, "the producer did not go on once the listener started");
        }
        finally
        {
            // Also releases the producer when an assertion above failed.
            disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));
        }

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
    }

    [Test]
    public void AProducerWaitingOnAQueueWhoseSeparateListenerNeverStartedIsReportedAndWaitsUntilItStarts()
    {
        const int events = 11;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(10, QueueFullMode.Block);
        var collecting = new CollectingSink();
        using var listener = new Listener(queue, collecting);
        var sink = new QueueSink(queue);
        sink.SetFailureListener(failures);

        var producing = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            // The 11th event waits for room that only the listener can make; the wait is reported, once.
            var reported = SpinWait.SpinUntil(() => failures.Failures.Count > 0, Timeouts.Signal);
            Assert.That(reported, Is.True, "the producer waited in silence");
            Assert.That(failures.Failures, Has.Exactly(1).Items);
            Assert.That(failures.Failures[0].Message, Does.Contain("producers have waited").And.Contain("no listener is running"));
            Assert.That(failures.Failures[0].Kind, Is.EqualTo(Serilog.Core.LoggingFailureKind.Temporary));
            Assert.That(producing.IsCompleted, Is.False, "Block mode did not wait");
        }
        finally
        {
            listener.Start();
        }

        Assert.That(producing.Wait(Timeouts.Signal), Is.True, "the producer did not go on once the listener started");
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
    }

    [Test]
    public void FlushingThroughASinkAfterTheListenerStoppedAnswersAtOnceAsPythonsJoinDoes()
    {
        var queue = new LogEventQueue(100, QueueFullMode.Block);
        var collecting = new CollectingSink();
        using var listener = new Listener(queue, collecting).Start();
        var sink = new QueueSink(queue);
        sink.Emit(Some.Event(0));
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);

        // Bounded far above "at once" and far below the timeout, which the flush used to wait out before failing.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(sink.Flush(TimeSpan.FromSeconds(60)), Is.True);
        Assert.That(listener.Flush(TimeSpan.FromSeconds(60)), Is.True);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void FlushingEventsNoListenerReadsFailsAtOnceWithTheReasonAndTheirNumber()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(100, QueueFullMode.Block);
        using var listener = new Listener(queue, new CollectingSink());
        listener.SetFailureListener(failures);
        var sink = new QueueSink(queue);
        sink.SetFailureListener(failures);
        for (var i = 0; i < 3; i++) sink.Emit(Some.Event(i));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(sink.Flush(TimeSpan.FromSeconds(60)), Is.False);
        Assert.That(listener.Flush(TimeSpan.FromSeconds(60)), Is.False);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)));

        Assert.That(failures.Failures.Select(f => f.Message), Has.Exactly(2).Items);
        Assert.That(failures.Failures[0].Message, Does.Contain("3 events are queued").And.Contain("no listener is running"));
        Assert.That(failures.Failures[1].Message, Does.Contain("3 events are queued").And.Contain("never started"));
    }

    [Test]
    public void AFlushThroughASinkOverAUserQueueNobodyReadsWaitsForItsMarkerUntilTheTimeout()
    {
        // A user's queue cannot tell whether a listener reads it, so the flush cannot answer at once as it does over
        // the built-in queue: it waits for its marker, which nobody takes.
        var queue = new PlainUserQueue(new LogEventQueue(100, QueueFullMode.Block));
        var sink = new QueueSink(queue);
        sink.Emit(Some.Event(0));

        var timeout = TimeSpan.FromMilliseconds(300);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(sink.Flush(timeout), Is.False);
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(20)));
    }

    /// <summary>A user's queue that breaks nothing.</summary>
    sealed class PlainUserQueue(LogEventQueue inner) : DelegatingQueue(inner);
}
