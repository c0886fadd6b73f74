using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

public class QueueListenerTests
{
    static void EnqueueRange(ILogEventQueue queue, int from, int count)
    {
        for (var i = from; i < from + count; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
    }

    [Test]
    public void ConstructingStartsNothing()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink);
        EnqueueRange(queue, 0, 3);

        Assert.That(listener.IsRunning, Is.False);
        Assert.That(queue.Count, Is.EqualTo(3));
        Assert.That(sink.Events, Is.Empty);
    }

    [Test]
    public void StartRunsOneNamedBackgroundThreadThatDeliversEvents()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 3);

        Assert.That(sink.WaitFor(3, Timeouts.Signal), Is.True);
        Assert.That(listener.IsRunning, Is.True);
        Assert.That(sink.ThreadIds.Distinct().ToList(), Has.Count.EqualTo(1));
        Assert.That(sink.ThreadIds[0], Is.Not.EqualTo(Environment.CurrentManagedThreadId));
    }

    [Test]
    public void TheListenerThreadIsNamedAndInBackground()
    {
        var queue = new LogEventQueue();
        (bool IsBackground, string? Name)? seen = null;
        var sink = new DelegatingSink(_ => seen = (Thread.CurrentThread.IsBackground, Thread.CurrentThread.Name));
        using var listener = new Listener(queue, sink).Start();
        queue.Enqueue(Some.Event(), CancellationToken.None);
        listener.Stop();

        Assert.That(seen, Is.EqualTo((true, "Serilog.Sinks.QueueListener")));
    }

    [Test]
    public void TheListenerThreadDoesNotInheritTheStartersAsyncLocals()
    {
        var local = new AsyncLocal<string?> { Value = "starter" };
        var queue = new LogEventQueue();
        string? seen = "not called";
        var sink = new DelegatingSink(_ => seen = local.Value);
        using var listener = new Listener(queue, sink).Start();
        queue.Enqueue(Some.Event(), CancellationToken.None);
        listener.Stop();

        Assert.That(seen, Is.Null);
    }

    [Test]
    public void StartWorksWhereExecutionContextFlowIsAlreadySuppressed()
    {
        using var listener = new Listener(new LogEventQueue(), new CollectingSink());
        using (ExecutionContext.SuppressFlow())
        {
            Assert.That(() => listener.Start(), Throws.Nothing);
        }

        Assert.That(listener.IsRunning, Is.True);
    }

    [Test]
    public void StartWhileRunningThrows()
    {
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()).Start();
        Assert.That(() => listener.Start(), Throws.InvalidOperationException);
    }

    [Test]
    public void StopHandlesEverythingEnqueuedBeforeItBeforeReturning()
    {
        var queue = new LogEventQueue(100_000);
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 50_000);

        listener.Stop();

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 50_000)));
        Assert.That(listener.IsRunning, Is.False);
    }

    [Test]
    public void StopSendsOneSentinelThroughTheQueue()
    {
        var queue = new LogEventQueue();
        using var listener = new RecordingListener(queue, [new CollectingSink()]);
        listener.Start();
        listener.Stop();
        listener.Stop();

        Assert.That(listener.SentinelsEnqueued, Is.EqualTo(1));
    }

    [Test]
    public void StopWhenNeverStartedOrAlreadyStoppedDoesNothing()
    {
        var queue = new LogEventQueue();
        using var listener = new RecordingListener(queue, [new CollectingSink()]);

        Assert.That(listener.Stop(TimeSpan.Zero), Is.True);
        listener.Start();
        listener.Stop();
        Assert.That(listener.Stop(TimeSpan.Zero), Is.True);
        Assert.That(listener.SentinelsEnqueued, Is.EqualTo(1));
    }

    [Test]
    public void AListenerCanBeStartedAgainAfterStopAndHandlesBothRuns()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink);

        listener.Start();
        EnqueueRange(queue, 0, 100);
        listener.Stop();
        EnqueueRange(queue, 100, 100);
        Assert.That(sink.Events, Has.Count.EqualTo(100));
        listener.Start();
        listener.Stop();

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 200)));
    }

    [TestCase(QueueFullMode.Block)]
    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void TheSentinelGetsThroughAFullQueue(QueueFullMode mode)
    {
        var queue = new LogEventQueue(4, mode);
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink);
        EnqueueRange(queue, 0, 4);
        Assert.That(queue.Count, Is.EqualTo(queue.Capacity));

        listener.Start();
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 4)));
        Assert.That(queue.DroppedCount, Is.Zero);
    }

    [Test]
    public void StopWithATimeoutReturnsFalseWhileASinkHangsAndTrueOnceItRecovers()
    {
        var queue = new LogEventQueue();
        var sink = new GatedSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 3);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);

        Assert.That(listener.Stop(TimeSpan.FromMilliseconds(100)), Is.False);
        Assert.That(listener.IsRunning, Is.True);
        Assert.That(() => listener.Start(), Throws.InvalidOperationException);

        sink.Open();
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);
        Assert.That(sink.Events, Has.Count.EqualTo(3));
    }

    [Test]
    public void StopCalledFromASinkOnTheListenerThreadReturnsFalseWithoutDeadlockAndTheListenerStops()
    {
        var queue = new LogEventQueue();
        Listener? listener = null;
        bool? stopResult = null;
        var sink = new DelegatingSink(e =>
        {
            if (Some.SequenceOf(e) == 1) stopResult = listener!.Stop(Timeouts.Signal);
        });
        listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 3);

        Assert.That(listener.Stop(Timeouts.Signal), Is.True);
        Assert.That(stopResult, Is.False);
        listener.Dispose();
    }

    [Test]
    public void ANegativeStopTimeoutIsRejectedAsAStopTimeoutNotAsTheShutdownTimeout()
    {
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()).Start();

        Assert.That(() => listener.Stop(TimeSpan.FromSeconds(-2)), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("timeout")
            .And.Message.Not.Contains("shutdown timeout")
            .And.Message.Not.Contains("null"));
    }

    [Test]
    public void StartWhileAStopThatTimedOutIsStillUnderWayIsRefusedSayingTheListenerIsStopping()
    {
        var queue = new LogEventQueue();
        var sink = new GatedSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 1);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);
        Assert.That(listener.Stop(TimeSpan.FromMilliseconds(100)), Is.False);

        try
        {
            Assert.That(() => listener.Start(), Throws.InvalidOperationException.With.Message.Contains("stopping"));
        }
        finally
        {
            sink.Open();
        }
    }

    [Test]
    public void ASecondDisposeDoesNothingAndStartAfterDisposeThrows()
    {
        var sink = new CollectingSink();
        var listener = new Listener(new LogEventQueue(), sink).Start();

        listener.Dispose();
        listener.Dispose();

        Assert.That(sink.DisposeCount, Is.EqualTo(1));
        Assert.That(() => listener.Start(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task DisposeAsyncDrainsThenDisposesTheSinks()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 1000);

        await listener.DisposeAsync();

        Assert.That(sink.Events, Has.Count.EqualTo(1000));
        Assert.That(sink.DisposeCount, Is.EqualTo(1));
        Assert.That(listener.IsRunning, Is.False);
    }

    [Test]
    public void HandlePreparesEachEventOnceThenCallsEachSinkInOrderOnTheListenerThread()
    {
        var queue = new LogEventQueue();
        var log = new List<string>();
        var listener = new RecordingListener(queue, [new OrderRecordingSink("a", log), new OrderRecordingSink("b", log)]);
        listener.OnPrepare = e =>
        {
            lock (log) log.Add($"prepare {Some.SequenceOf(e)}");
            return e;
        };
        listener.Start();
        EnqueueRange(queue, 0, 2);
        listener.Dispose();

        Assert.That(log, Is.EqualTo(new[] { "prepare 0", "a 0", "b 0", "prepare 1", "a 1", "b 1" }));
        Assert.That(listener.PrepareThreadId, Is.Not.EqualTo(Environment.CurrentManagedThreadId));
    }

    [Test]
    public void WhenOneSinkThrowsTheOthersStillReceiveTheEventAndTheFailureIsReported()
    {
        var queue = new LogEventQueue();
        var failures = new CollectingFailureListener();
        var before = new CollectingSink();
        var after = new CollectingSink();
        var listener = new Listener(queue, before, new ThrowingSink(), after);
        listener.SetFailureListener(failures);
        listener.Start();
        EnqueueRange(queue, 0, 5);
        listener.Dispose();

        Assert.That(before.Events, Has.Count.EqualTo(5));
        Assert.That(after.Events, Has.Count.EqualTo(5));
        Assert.That(failures.Failures, Has.Count.EqualTo(5));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
        Assert.That(failures.Failures.Select(f => f.Exception), Is.All.InstanceOf<InvalidOperationException>());
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 5)));
    }

    [Test]
    public void WhenTheOnlySinkThrowsEachFailureIsReportedAndCountedAndTheListenerGoesOn()
    {
        var queue = new LogEventQueue();
        var failures = new CollectingFailureListener();
        var throwing = new ThrowingSink();
        var listener = new Listener(queue, throwing);
        listener.SetFailureListener(failures);
        listener.Start();
        EnqueueRange(queue, 0, 3);
        listener.Dispose();

        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
        Assert.That(failures.Failures.Select(f => f.Message), Is.All.Contains(throwing.ToString()));
        Assert.That(listener.SinkFailureCount, Is.EqualTo(3));
        Assert.That(listener.HandledCount, Is.EqualTo(3));
    }

    [Test]
    public void WhenPrepareThrowsTheFailureIsReportedAndTheSinksReceiveTheEventUnprepared()
    {
        var queue = new LogEventQueue();
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        var listener = new RecordingListener(queue, [sink]);
        listener.SetFailureListener(failures);
        listener.OnPrepare = e => Some.SequenceOf(e) == 1 ? throw new InvalidOperationException("prepare failed") : e;
        listener.Start();
        EnqueueRange(queue, 0, 3);
        listener.Dispose();

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(failures.Failures, Has.Count.EqualTo(1));
        Assert.That(failures.Failures[0].Exception, Is.InstanceOf<InvalidOperationException>());
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void WhenPrepareReturnsNullTheFailureIsReportedAndTheSinksReceiveTheEventUnprepared()
    {
        var queue = new LogEventQueue();
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        var listener = new RecordingListener(queue, [sink]) { OnPrepare = _ => null! };
        listener.SetFailureListener(failures);
        listener.Start();
        EnqueueRange(queue, 0, 2);
        listener.Dispose();

        // Each event reaches the sinks as it was, and is reported once, by itself, as a temporary failure.
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(failures.Failures, Has.Count.EqualTo(2));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(Serilog.Core.LoggingFailureKind.Temporary));
        Assert.That(failures.Failures.Select(f => f.Events.Select(Some.SequenceOf).Single()), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(failures.Failures.Select(f => f.Exception?.Message), Is.All.Contains("null"));
    }

    [Test]
    public void AnOverrideOfHandleAloneIsGivenEveryEventAndDecidesWhatTheSinksReceive()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        var listener = new FilteringListener(queue, [sink], e => Some.SequenceOf(e) % 2 == 0);
        listener.Start();
        EnqueueRange(queue, 0, 5);
        listener.Dispose();

        Assert.That(listener.Handled.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 2, 4 }));
    }

    [Test]
    public void TheDefaultPrepareCopiesNothing()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        var listener = new Listener(queue, sink).Start();
        var logEvent = Some.Event();
        queue.Enqueue(logEvent, CancellationToken.None);
        listener.Dispose();

        Assert.That(sink.Events.Single(), Is.SameAs(logEvent));
    }

    [Test]
    public void SetFailureListenerIsPassedOnToSinksThatAcceptOne()
    {
        var failures = new CollectingFailureListener();
        var accepting = new FailureListenerAcceptingSink();
        using var listener = new Listener(new LogEventQueue(), accepting);

        listener.SetFailureListener(failures);

        Assert.That(accepting.FailureListener, Is.SameAs(failures));
    }

    [Test]
    public void ADisposeFailureOfOneSinkIsReportedAndTheOthersAreStillDisposed()
    {
        var failures = new CollectingFailureListener();
        var other = new CollectingSink();
        var listener = new Listener(new LogEventQueue(), new ThrowingSink(throwOnDispose: true), other);
        listener.SetFailureListener(failures);
        listener.Start();

        listener.Dispose();

        Assert.That(other.DisposeCount, Is.EqualTo(1));
        Assert.That(failures.Failures, Has.Count.EqualTo(1));
    }

    [Test]
    public void BadConstructorArgumentsAreRejectedByName()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new Listener(null!, new CollectingSink()),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("queue"));
            Assert.That(() => new Listener(new LogEventQueue(), (IEnumerable<ILogEventSink>)null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("sinks"));
            Assert.That(() => new Listener(new LogEventQueue(), new CollectingSink(), null!),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("sinks"));
        });
    }

    [Test]
    public void ANegativeStopTimeoutIsRejectedByName()
    {
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()).Start();
        Assert.That(() => listener.Stop(TimeSpan.FromSeconds(-2)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("timeout"));
    }

    class FailureListenerAcceptingSink : ILogEventSink, ISetLoggingFailureListener
    {
        public ILoggingFailureListener? FailureListener { get; private set; }

        public void Emit(LogEvent logEvent)
        {
        }

        public void SetFailureListener(ILoggingFailureListener failureListener) => FailureListener = failureListener;
    }
}
