using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

/// <summary>
/// The paths a queue of the user's own takes where the built-in queue offers more than <see cref="ILogEventQueue"/>
/// (see the internal IBuiltInQueue): each is a documented difference, never a lost or silently stuck event.
/// </summary>
public class UserQueuePathTests
{
    [Test]
    public void ANeverStartedOwnedListenerOverAUserQueueIsNotStartedByAWaitingProducerButTheWaitIsReported()
    {
        // Over the built-in queue in Block mode the waiting producer starts the listener; a user's queue may be filled
        // before its listener starts on purpose, so the listener is left to the application, and the wait reported.
        const int events = 4;
        var collecting = new CollectingSink();
        var (_, listener, sink, failures) = OwnedPipeline.Over(
            new PlainUserQueue(new LogEventQueue(2, QueueFullMode.Block)), collecting, TimeSpan.FromSeconds(5));

        var producing = Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        BoundedCall.Outcome disposal;
        try
        {
            var reported = SpinWait.SpinUntil(
                () => failures.Failures.Any(f => f.Message.Contains("was never started", StringComparison.Ordinal)),
                Timeouts.Signal);
            Assert.That(reported, Is.True, "the producer waited in silence");
            Assert.That(listener.IsRunning, Is.False, "the sink started the listener of a user's queue");
            Assert.That(producing.IsCompleted, Is.False, "Block mode did not wait");

            listener.Start();
            Assert.That(producing.Wait(Timeouts.Signal), Is.True, "the producer did not go on once the listener started");
        }
        finally
        {
            disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));
        }

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
    }

    [Test]
    public void TheMetricsOfAUserQueueLeaveOutTheEnqueuedCountAndTheFullModeButKeepTheRest()
    {
        var name = "test-" + Guid.NewGuid().ToString("n");
        using var metrics = new MetricsCollector(name);
        var gated = new GatedSink();
        var queue = new PlainUserQueue(new LogEventQueue(1, QueueFullMode.DropIncoming));
        using var listener = new Serilog.Sinks.Queue.QueueListener(queue, gated) { Name = name };
        var sink = new QueueSink(queue);
        listener.Start();
        sink.Emit(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        sink.Emit(Some.Event(1));
        sink.Emit(Some.Event(2));

        metrics.Observe();
        Assert.That(metrics.All("serilog.queue.enqueued"), Is.Empty);
        Assert.That(metrics.Latest("serilog.queue.dropped"), Is.EqualTo(1));
        Assert.That(metrics.All("serilog.queue.dropped").Single().Tags, Does.Not.ContainKey("queue.full_mode"));
        Assert.That(metrics.Latest("serilog.queue.depth"), Is.EqualTo(1));
        Assert.That(metrics.Latest("serilog.queue.capacity"), Is.EqualTo(1));

        gated.Open();
        Assert.That(listener.Flush(Timeouts.Signal), Is.True);
        metrics.Observe();
        Assert.That(metrics.Latest("serilog.queue.handled"), Is.EqualTo(2));
    }

    /// <summary>A user's queue that breaks nothing.</summary>
    sealed class PlainUserQueue(LogEventQueue inner) : DelegatingQueue(inner);
}
