using System.Diagnostics.Metrics;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Code that is not a sink but still runs on the listener thread (a metrics listener, a user's queue) fails: the
/// exception must be reported, never left to end the thread, for an unhandled exception on a thread ends the whole
/// process. (Where this does not hold, these tests bring the test host down rather than fail.)
/// </summary>
public class ListenerThreadFaultTests
{
    const string LatencyInstrument = "serilog.queue.latency";

    [Test]
    public void AMeterListenerThatThrowsWhileTheLatencyIsRecordedIsReportedAndEveryEventIsStillWritten()
    {
        const int events = 100;
        var queueName = "throwing-latency-" + Guid.NewGuid().ToString("n");
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listening) =>
        {
            if (instrument.Meter.Name == Listener.MeterName && instrument.Name == LatencyInstrument) listening.EnableMeasurementEvents(instrument);
        };

        // Throws for this test's queue only: other queues in the process may be recording too.
        meterListener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "queue.name" && Equals(tag.Value, queueName))
                {
                    throw new InvalidOperationException("The meter listener failed, as it was told to.");
                }
            }
        });
        meterListener.Start();

        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var collecting = new CollectingSink();
        var listener = new Listener(queue, collecting) { Name = queueName };
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();

        for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains(LatencyInstrument));
    }

    [Test]
    public void ACountLargerThanTheBatchFromAUserQueueIsReportedAndEveryEventIsAccountedFor()
    {
        WhenTryDequeueMiscountsEveryEventIsAccountedFor(length => length + 1);
    }

    [Test]
    public void ANegativeCountFromAUserQueueIsReportedAndEveryEventIsAccountedFor()
    {
        WhenTryDequeueMiscountsEveryEventIsAccountedFor(_ => -1);
    }

    static void WhenTryDequeueMiscountsEveryEventIsAccountedFor(Func<int, int> miscount)
    {
        const int events = 100;
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new MiscountingQueue(new LogEventQueue(256), miscount), collecting, null);
        listener.Start();

        for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(queue.Miscounted, Is.True, "the queue never returned its bad count");
        var accounted = collecting.Events.Concat(failures.FailedEvents).Select(Some.SequenceOf).Order();
        Assert.That(accounted, Is.EqualTo(Enumerable.Range(0, events)));
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("TryDequeue"));
    }
}
