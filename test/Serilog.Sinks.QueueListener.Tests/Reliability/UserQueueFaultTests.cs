using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A user's queue whose <see cref="ILogEventQueue.TryDequeue"/> or <see cref="ILogEventQueue.WaitToDequeue"/> throws: a passing failure (a dropped connection)
/// is reported and ridden out, with nothing lost; a lasting one stops the listener, reported as such, and every
/// event still queued is reported with the event rather than lost.
/// </summary>
public class UserQueueFaultTests
{
    const int Events = 50;

    [Test]
    public void AUserQueueWhoseTryDequeueFailsThreeTimesInARowStillDeliversEveryEvent()
    {
        var failures = new CollectingFailureListener();
        var queue = new DequeueFailingQueue(new LogEventQueue(64));
        var gated = new GatedSink();
        var sink = StartHeld(queue, gated, failures);
        try
        {
            queue.FailNextCalls(3);
        }
        finally
        {
            gated.Open();
        }

        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(WrittenSequences(gated), Is.EqualTo(Enumerable.Range(0, Events)));
        Assert.That(failures.Failures.Select(f => f.Exception), Has.Some.SameAs(queue.Failure));
        Assert.That(failures.FailedEvents, Is.Empty);
    }

    [Test]
    public void AUserQueueWhoseTryDequeueKeepsFailingStopsTheListenerAndEveryQueuedEventIsReported()
    {
        var failures = new CollectingFailureListener();
        var queue = new DequeueFailingQueue(new LogEventQueue(64));
        var gated = new GatedSink();
        var sink = StartHeld(queue, gated, failures);
        try
        {
            queue.Failing = true;
        }
        finally
        {
            gated.Open();
        }

        var stopped = SpinWait.SpinUntil(() => failures.Failures.Any(f =>
            f.Kind == LoggingFailureKind.Final && f.Message.Contains("stop", StringComparison.OrdinalIgnoreCase)), Timeouts.Signal);
        Assert.That(stopped, Is.True, "no final report that the listener stops");
        queue.Failing = false;
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(failures.Failures.Where(f => f.Events.Count > 0).Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Final));
        var accounted = WrittenSequences(gated).Concat(failures.FailedEvents.Select(Some.SequenceOf)).Order();
        Assert.That(accounted, Is.EqualTo(Enumerable.Range(0, Events)));
    }

    [Test]
    public void AUserQueueWhoseWaitKeepsFailingWhileEmptyStopsTheListenerAfterOneReportOfTheRun()
    {
        var failures = new CollectingFailureListener();
        var queue = new WaitFailingQueue(new LogEventQueue(64)) { Failing = true };
        var listener = new Listener(queue, new CollectingSink());
        listener.SetFailureListener(failures);
        listener.Start();

        // An empty TryDequeue between the failed waits is no success: the run of failures must add up.
        var stopped = SpinWait.SpinUntil(() => failures.Failures.Any(f =>
            f.Kind == LoggingFailureKind.Final && f.Message.Contains("stop", StringComparison.OrdinalIgnoreCase)), Timeouts.Signal);
        var disposal = BoundedCall.Run(listener.Dispose, TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(stopped, Is.True, "no final report that the listener stops");
            Assert.That(disposal.Completed, Is.True, "dispose did not return");
            Assert.That(failures.Failures.Count(f => f.Kind == LoggingFailureKind.Temporary), Is.EqualTo(1), "one report per run of failures");
        });
    }

    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public void AUserQueueWhoseTryDequeueAlwaysReturnsACountOutOfRangeIsReportedOnceAndTheListenerStops(int count)
    {
        using var stopped = new ManualResetEventSlim();
        var failures = new HookedFailureListener(message =>
        {
            if (message.Contains("the listener stops", StringComparison.Ordinal)) stopped.Set();
        });
        var queue = new AlwaysMiscountingQueue(new LogEventQueue(64), count);
        var listener = new Listener(queue, new CollectingSink());
        listener.SetFailureListener(failures);
        listener.Start();

        // A flush without a timeout, asked while the listener still retries: its marker never comes out of the
        // queue, so only the listener's giving up can end the wait.
        bool? flushedWhileRetrying = null;
        var retryingFlush = BoundedCall.Run(() => flushedWhileRetrying = listener.Flush(Timeout.InfiniteTimeSpan), Timeouts.Signal);

        Assert.That(stopped.Wait(Timeouts.Signal), Is.True, "no report that the listener stops");
        Assert.That(SpinWait.SpinUntil(() => listener.State == QueueListenerState.Stopped, Timeouts.Signal), Is.True,
            $"the listener is {listener.State}");
        Assert.That(retryingFlush.Completed, Is.True, "the flush asked while the listener retried did not return");
        Assert.That(flushedWhileRetrying, Is.False);

        // One call per failure, each after a backoff: no spin, and a report for the cause, not for every call.
        var callsWhenStopped = queue.Calls;
        var reportsWhenStopped = failures.Failures;
        var flush = BoundedCall.Run(() => listener.Flush(TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(10));
        var disposal = BoundedCall.Run(listener.Dispose, TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(callsWhenStopped, Is.EqualTo(QueueFaultBackoff.GiveUpAfter));
            Assert.That(reportsWhenStopped.Select(f => f.Kind),
                Is.EqualTo(new[] { LoggingFailureKind.Temporary, LoggingFailureKind.Final }));
            Assert.That(reportsWhenStopped.Select(f => f.Exception?.Message),
                Has.All.Contains($"TryDequeue returned {count}"));
            Assert.That(flush.Completed, Is.True, "flush did not return");
            Assert.That(disposal.Completed, Is.True, "dispose did not return");

            // Disposal's final run gives up at its first failure, as the run of failures goes on, and its reclaim
            // reports the broken queue once: one call and one report each.
            Assert.That(queue.Calls, Is.LessThanOrEqualTo(QueueFaultBackoff.GiveUpAfter + 2));
            Assert.That(failures.Failures.Skip(reportsWhenStopped.Count).Select(f => f.Message).ToList(), Has.Count.LessThanOrEqualTo(2));
        });
    }

    [Test]
    public void AUserQueueThatTheListenerGivesUpOnIsReportedWithTheNumberOfEventsItStillHolds()
    {
        using var stopped = new ManualResetEventSlim();
        var failures = new HookedFailureListener(message =>
        {
            if (message.Contains("the listener stops", StringComparison.Ordinal)) stopped.Set();
        });
        var queue = new DequeueFailingQueue(new LogEventQueue(64));
        var gated = new GatedSink();
        var sink = StartHeld(queue, gated, failures);
        try
        {
            queue.Failing = true;
        }
        finally
        {
            gated.Open();
        }

        Assert.That(stopped.Wait(Timeouts.Signal), Is.True, "no report that the listener stops");
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        var final = failures.Failures.Where(f => f.Kind == LoggingFailureKind.Final).Select(f => f.Message).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(disposal.Completed, Is.True, "dispose did not return");
            Assert.That(queue.FailedCalls, Is.GreaterThanOrEqualTo(QueueFaultBackoff.GiveUpAfter));
            Assert.That(final, Has.Some.Contains("the listener stops with 50 events still queued"));
            Assert.That(final, Has.Some.Contains("failed reclaiming the 50 events still queued"));
        });
    }

    /// <summary>
    /// Start a listener and hold it in the gate on a warm-up event (sequence -1), then queue the events under test
    /// behind it, all 50 of them, for the test to break the queue before the listener comes to them.
    /// </summary>
    static QueueSink StartHeld(DequeueFailingQueue queue, GatedSink gated, CollectingFailureListener failures)
    {
        var listener = new Listener(queue, gated);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();

        sink.Emit(Some.Event(-1));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        for (var i = 0; i < Events; i++) sink.Emit(Some.Event(i));
        return sink;
    }

    static IEnumerable<int> WrittenSequences(CollectingSink sink) => sink.Events.Select(Some.SequenceOf).Where(s => s >= 0);
}
