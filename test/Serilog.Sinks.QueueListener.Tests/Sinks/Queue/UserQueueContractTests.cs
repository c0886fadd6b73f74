using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

/// <summary>
/// A queue written from <see cref="ILogEventQueue"/>'s contract alone carries everything the listener and the sink
/// need: events from many producers in each one's order, flushes, stops and restarts, and the drain at disposal.
/// </summary>
public class UserQueueContractTests
{
    [Test]
    public void AUserQueueCarriesEventsFlushesStopsAndTheDrainAtDisposal()
    {
        const int producers = 4;
        const int perProducer = 2_000;
        var queue = new MonitorQueue(16);
        var failures = new CollectingFailureListener();
        var checker = new OrderCheckingSink(producers);
        var listener = new Listener(queue, checker);
        var sink = new QueueSink(queue, listener, Timeouts.Signal);
        sink.SetFailureListener(failures);
        listener.Start();

        var threads = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < perProducer / 2; i++) sink.Emit(Some.Event(i, producer: p));
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.That(Task.WaitAll(threads, Timeouts.Signal), Is.True);
        Assert.That(sink.Flush(Timeouts.Signal), Is.True, "a flush through the user's queue");
        Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(perProducer / 2));

        Assert.That(listener.Stop(Timeouts.Signal), Is.True, "a stop through the user's queue");
        listener.Start();
        for (var p = 0; p < producers; p++)
        {
            for (var i = perProducer / 2; i < perProducer; i++) sink.Emit(Some.Event(i, producer: p));
        }

        sink.Dispose();

        Assert.That(checker.Violations, Is.Empty);
        Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(perProducer));
        Assert.That(failures.Failures, Is.Empty);
        Assert.That(listener.IsRunning, Is.False);
    }
}
