using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Flushes cost the queue a bounded number of markers: flushes that time out while the listener is held do not pile
/// up a marker each, and a flush of a listener that is not running sends none and does not wait.
/// </summary>
public class FlushBoundTests
{
    static readonly TimeSpan ReturnBound = TimeSpan.FromSeconds(5);

    [Test]
    public void AHundredThousandFlushesWhileTheListenerIsHeldEnqueueAtMostThreeMarkers()
    {
        const int flushes = 100_000;
        var queue = new MarkerCountingQueue(new LogEventQueue());
        var gated = new GatedSink();
        var listener = new Listener(queue, gated);
        var sink = new QueueSink(queue, listener);
        sink.SetFailureListener(new CollectingFailureListener());
        listener.Start();
        try
        {
            sink.Emit(Some.Event(0));
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
            var markersBefore = queue.MarkerCount;

            var succeeded = 0;
            for (var i = 0; i < flushes; i++)
            {
                if (sink.Flush(TimeSpan.Zero)) succeeded++;
            }

            Assert.That(succeeded, Is.Zero, "flushes that returned true while the listener was held");
            Assert.That(queue.MarkerCount - markersBefore, Is.LessThanOrEqualTo(3), "markers enqueued by the flushes");

            gated.Open();
            Assert.That(sink.Flush(Timeouts.Signal), Is.True);
        }
        finally
        {
            gated.Open();
            Task.Run(sink.Dispose).Wait(Timeouts.Signal);
        }
    }

    [Test]
    public void AFlushOfAStoppedListenerWithAnEmptyQueueReturnsTrueAtOnceWithoutEnqueuingAMarker()
    {
        var queue = new MarkerCountingQueue(new LogEventQueue());
        var collecting = new CollectingSink();
        var listener = new Listener(queue, collecting);
        var sink = new QueueSink(queue, listener);
        sink.SetFailureListener(new CollectingFailureListener());
        listener.Start();
        try
        {
            sink.Emit(Some.Event(0));
            listener.Stop();
            var markersBefore = queue.MarkerCount;

            var listenerFlush = Task.Run(() => listener.Flush(TimeSpan.FromSeconds(30)));
            Assert.That(listenerFlush.Wait(ReturnBound), Is.True, "the listener's flush did not return");
            var sinkFlush = Task.Run(() => sink.Flush(TimeSpan.FromSeconds(30)));
            Assert.That(sinkFlush.Wait(ReturnBound), Is.True, "the sink's flush did not return");

            Assert.Multiple(() =>
            {
                // Stop drained the queue and flushed the sinks: nothing is left to wait for (Python's join after stop).
                Assert.That(listenerFlush.Result, Is.True);
                Assert.That(sinkFlush.Result, Is.True);
                Assert.That(queue.MarkerCount, Is.EqualTo(markersBefore), "markers enqueued by the flushes");
            });
        }
        finally
        {
            Task.Run(sink.Dispose).Wait(Timeouts.Signal);
        }
    }
}
