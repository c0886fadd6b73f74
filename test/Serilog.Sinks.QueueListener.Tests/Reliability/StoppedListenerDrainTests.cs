using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Disposal of a listener that is stopped: the events queued meanwhile are still drained to the sinks, not
/// reported, and not left silently in the queue.
/// </summary>
public class StoppedListenerDrainTests
{
    static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(10);

    [Test]
    public void DisposingTheSinkWhileItsListenerIsStoppedWritesEveryQueuedEventInOrder()
    {
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(100, QueueFullMode.Block), collecting);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        for (var i = 0; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        listener.Stop();
        for (var i = 10; i < 20; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        var disposing = Task.Run(sink.Dispose);

        Assert.That(disposing.Wait(DisposeBound), Is.True, "disposing the sink did not return");
        Assert.Multiple(() =>
        {
            Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 20)));
            Assert.That(failures.Failures, Is.Empty);
        });
    }

    [Test]
    public void DisposingAStoppedListenerWritesTheEventsAnotherSinkQueuedMeanwhile()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(100, QueueFullMode.Block);
        var collecting = new CollectingSink();
        var listener = new Listener(queue, collecting);
        listener.SetFailureListener(failures);
        listener.Start();
        var producer = new QueueSink(queue);
        producer.SetFailureListener(failures);
        var logger = new LoggerConfiguration().WriteTo.Sink(producer).CreateLogger();

        listener.Stop();
        for (var i = 0; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        var disposing = Task.Run(listener.Dispose);

        Assert.That(disposing.Wait(DisposeBound), Is.True, "disposing the listener did not return");
        Assert.Multiple(() =>
        {
            // Nothing lost silently: an event not written must at least be reported, with the event.
            var accounted = collecting.Events.Concat(failures.FailedEvents).Select(Some.SequenceOf).Order();
            Assert.That(accounted, Is.EqualTo(Enumerable.Range(0, 10)), "events neither written nor reported");

            // And the disposal drains, so they are written.
            Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 10)));
            Assert.That(failures.Failures, Is.Empty);
        });
    }
}
