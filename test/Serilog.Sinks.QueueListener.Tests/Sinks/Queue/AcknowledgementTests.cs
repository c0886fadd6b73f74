using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

/// <summary>
/// A queue that wants acknowledgements gets one after each batch, only once the sinks have every event of it.
/// </summary>
public class AcknowledgementTests
{
    [Test]
    public void EachAcknowledgementComesAfterTheSinksReceivedEveryEventHandedOver()
    {
        var sink = new CollectingSink();
        var queue = new AcknowledgingQueue(new LogEventQueue(), sink);
        var producer = new QueueSink(queue, new Listener(queue, sink).Start());

        for (var i = 0; i < 1_000; i++) producer.Emit(Some.Event(i));
        producer.Dispose();

        var acknowledgements = queue.Acknowledgements;
        Assert.That(acknowledgements, Is.Not.Empty);
        Assert.That(acknowledgements.Select(a => a.Received >= a.Dequeued), Is.All.True);
        Assert.That(acknowledgements[^1].Dequeued, Is.EqualTo(1_000));
    }

    [Test]
    public void AFailingAcknowledgementIsReportedAndTheListenerGoesOn()
    {
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        var queue = new AcknowledgingQueue(new LogEventQueue(), sink) { Throw = true };
        var producer = new QueueSink(queue, new Listener(queue, sink));
        producer.SetFailureListener(failures);
        producer.Listener!.Start();

        producer.Emit(Some.Event(0));
        Assert.That(sink.WaitFor(1, Timeouts.Signal), Is.True);
        producer.Emit(Some.Event(1));
        producer.Dispose();

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(failures.Failures.Select(f => f.Kind), Has.Some.EqualTo(LoggingFailureKind.Temporary));
        Assert.That(failures.FailedEvents, Is.Empty);
    }
}
