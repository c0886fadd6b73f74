using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Disposal never throws, whatever fails under it (a listener subclass, a user's queue): the failure is reported,
/// the listener thread still ends, the wrapped sinks are still disposed, and what was logged before is written.
/// </summary>
public class DisposalFaultTests
{
    const int Events = 10;
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public void DisposeDoesNotThrowWhenTheListenerFailsToSendItsSentinel()
    {
        var queue = new LogEventQueue(16);
        var collecting = new CollectingSink();

        DisposeAndCheck(queue, new ThrowingSentinelListener(queue, collecting), collecting);
    }

    [Test]
    public void DisposeDoesNotThrowWhenAUserQueueRejectsMarkers()
    {
        var queue = new MarkerRejectingQueue(new LogEventQueue(16));
        var collecting = new CollectingSink();

        DisposeAndCheck(queue, new Listener(queue, collecting), collecting);
    }

    [Test]
    public void DisposeDoesNotThrowWhenAUserQueueFailsToCount()
    {
        var queue = new CountThrowingQueue(new LogEventQueue(16));
        var collecting = new CollectingSink();

        DisposeAndCheck(queue, new Listener(queue, collecting), collecting);
    }

    static void DisposeAndCheck(ILogEventQueue queue, Listener listener, CollectingSink collecting)
    {
        var failures = new CollectingFailureListener();
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        for (var i = 0; i < Events; i++) logger.Information("Event {Sequence}", i);

        var disposal = BoundedCall.Run(logger.Dispose, Bound);

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(failures.Failures, Is.Not.Empty);
        Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Bound), Is.True, "the listener thread did not end");
        Assert.That(SpinWait.SpinUntil(() => collecting.DisposeCount > 0, Bound), Is.True, "the wrapped sink was not disposed");
        Assert.That(collecting.DisposeCount, Is.EqualTo(1));
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Events)));
    }
}
