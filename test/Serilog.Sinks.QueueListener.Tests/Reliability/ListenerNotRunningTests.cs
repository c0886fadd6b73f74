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
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(2, QueueFullMode.Block);
        var collecting = new CollectingSink();
        var listener = new Listener(queue, collecting);
        var sink = new QueueSink(queue, listener, TimeSpan.FromSeconds(5));
        sink.SetFailureListener(failures);

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
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(2, QueueFullMode.Block);
        var collecting = new CollectingSink();
        var listener = new Listener(queue, collecting);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
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
}
