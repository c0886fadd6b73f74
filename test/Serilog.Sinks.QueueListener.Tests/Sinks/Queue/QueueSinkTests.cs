using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

public class QueueSinkTests
{
    [Test]
    public void EmitEnqueuesOnTheCallingThreadAndReturns()
    {
        var queue = new LogEventQueue();
        var sink = new QueueSink(queue);
        var logEvent = Some.Event();

        sink.Emit(logEvent);

        var batch = new LogEvent[4];
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(batch[0], Is.SameAs(logEvent));
        Assert.That(sink.Listener, Is.Null);
        Assert.That(sink.Queue, Is.SameAs(queue));
    }

    [Test]
    public void EmitAfterDisposeReportsTheEventAsFinalAndDoesNotThrow()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var sink = new QueueSink(queue, new Listener(queue, new CollectingSink()).Start());
        sink.SetFailureListener(failures);
        sink.Dispose();
        var logEvent = Some.Event();

        Assert.That(() => sink.Emit(logEvent), Throws.Nothing);

        Assert.That(failures.Failures.Single().Kind, Is.EqualTo(LoggingFailureKind.Final));
        Assert.That(failures.FailedEvents.Single(), Is.SameAs(logEvent));
    }

    [Test]
    public void EmitNeverThrowsEvenWhenTheQueueDoes()
    {
        var failures = new CollectingFailureListener();
        var sink = new QueueSink(new ThrowingQueue());
        sink.SetFailureListener(failures);
        var logEvent = Some.Event();

        Assert.That(() => sink.Emit(logEvent), Throws.Nothing);
        Assert.That(() => sink.Emit(null!), Throws.Nothing);

        Assert.That(failures.Failures, Has.Count.EqualTo(2));
        Assert.That(failures.Failures[0].Events.Single(), Is.SameAs(logEvent));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
    }

    [Test]
    public void EmitNeverThrowsEvenWhenTheFailureListenerDoes()
    {
        var sink = new QueueSink(new ThrowingQueue());
        sink.SetFailureListener(new ThrowingFailureListener());

        Assert.That(() => sink.Emit(Some.Event()), Throws.Nothing);
    }

    [Test]
    public void DisposeDrainsTheQueueThenDisposesTheListenerAndItsSinks()
    {
        var queue = new LogEventQueue();
        var wrapped = new CollectingSink();
        var listener = new Listener(queue, wrapped).Start();
        var sink = new QueueSink(queue, listener);
        for (var i = 0; i < 5000; i++) sink.Emit(Some.Event(i));

        sink.Dispose();

        Assert.That(wrapped.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 5000)));
        Assert.That(wrapped.DisposeCount, Is.EqualTo(1));
        Assert.That(listener.IsRunning, Is.False);
    }

    [Test]
    public async Task DisposeAsyncDrainsTheQueueThenDisposesTheListenerAndItsSinks()
    {
        var queue = new LogEventQueue();
        var wrapped = new CollectingSink();
        var listener = new Listener(queue, wrapped).Start();
        var sink = new QueueSink(queue, listener);
        for (var i = 0; i < 5000; i++) sink.Emit(Some.Event(i));

        await sink.DisposeAsync();

        Assert.That(wrapped.Events, Has.Count.EqualTo(5000));
        Assert.That(wrapped.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void DisposeIsIdempotent()
    {
        var queue = new LogEventQueue();
        var wrapped = new CollectingSink();
        var sink = new QueueSink(queue, new Listener(queue, wrapped).Start());

        sink.Dispose();
        sink.Dispose();

        Assert.That(wrapped.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void DisposeOfAProducerOnlySinkLeavesTheQueueToItsListener()
    {
        var queue = new LogEventQueue();
        var sink = new QueueSink(queue);
        sink.Emit(Some.Event());

        sink.Dispose();

        Assert.That(queue.Count, Is.EqualTo(1));
    }

    [Test]
    public void WhenASinkHangsDisposeReturnsAfterTheTimeoutAndReportsWhatWasLeftAsFinal()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var hanging = new GatedSink();
        var sink = new QueueSink(queue, new Listener(queue, hanging).Start(), TimeSpan.FromMilliseconds(200));
        sink.SetFailureListener(failures);
        for (var i = 0; i < 10; i++) sink.Emit(Some.Event(i));
        Assert.That(hanging.WaitUntilEntered(Timeouts.Signal), Is.True);

        var disposing = Task.Run(sink.Dispose);
        Assert.That(disposing.Wait(Timeouts.Signal), Is.True);

        // Event 0 is inside the hanging sink, reported as possibly written; the others, in the listener's batch, are
        // reported as not written, with the events, before disposal returns.
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Final));
        Assert.That(failures.NotWrittenEvents.Select(Some.SequenceOf).Order(), Is.EqualTo(Enumerable.Range(1, 9)));
        Assert.That(failures.PossiblyWrittenEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));

        hanging.Open();
        // Once released, the abandoned listener writes the event it was in and nothing more, and reports nothing twice.
        Assert.That(hanging.WaitFor(1, Timeouts.Signal), Is.True);
        Assert.That(SpinWait.SpinUntil(() => hanging.DisposeCount == 1, Timeouts.Signal), Is.True);
        Assert.That(failures.FailedEvents, Has.Count.EqualTo(10));
        Assert.That(hanging.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void DisposeReleasesProducersBlockedOnAFullQueueAndReportsTheirEvents()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(1);
        var hanging = new GatedSink();
        var sink = new QueueSink(queue, new Listener(queue, hanging).Start(), TimeSpan.FromMilliseconds(100));
        sink.SetFailureListener(failures);
        sink.Emit(Some.Event(0));
        Assert.That(hanging.WaitUntilEntered(Timeouts.Signal), Is.True);
        sink.Emit(Some.Event(1));
        var blocked = Task.Run(() => sink.Emit(Some.Event(2)));

        // Disposal must find the producer parked, not merely about to emit.
        Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref queue.WaitingProducers) > 0, Timeouts.Signal), Is.True,
            "the producer never parked");
        sink.Dispose();

        Assert.That(blocked.Wait(Timeouts.Signal), Is.True);
        Assert.That(failures.NotWrittenEvents.Select(Some.SequenceOf).Order(), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(failures.Failures.Where(f => f.Events.Count > 0).Select(f => f.Kind), Is.All.EqualTo(Serilog.Core.LoggingFailureKind.Final));
        hanging.Open();
    }

    [Test]
    public void EmitRacingDisposeFromManyThreadsLosesNothingUncounted()
    {
        for (var round = 0; round < 20; round++)
        {
            var failures = new CollectingFailureListener();
            var queue = new LogEventQueue(64);
            var wrapped = new CollectingSink();
            var sink = new QueueSink(queue, new Listener(queue, wrapped).Start());
            sink.SetFailureListener(failures);
            using var go = new ManualResetEventSlim();
            var emitted = 0;

            var producers = Enumerable.Range(0, 4).Select(p => Task.Factory.StartNew(() =>
            {
                go.Wait();
                for (var i = 0; i < 2000; i++)
                {
                    sink.Emit(Some.Event(i, producer: p));
                    Interlocked.Increment(ref emitted);
                }
            }, TaskCreationOptions.LongRunning)).ToArray();

            go.Set();
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref emitted) > 1000 * round / 5, Timeouts.Signal), Is.True);
            sink.Dispose();

            // Every event exactly once: written or reported, never both, never twice.
            Assert.That(Task.WaitAll(producers, Timeouts.Signal), Is.True);
            var accounted = wrapped.Events.Concat(failures.FailedEvents).Select(e => (Some.ProducerOf(e), Some.SequenceOf(e)));
            var logged = Enumerable.Range(0, 4).SelectMany(p => Enumerable.Range(0, 2000).Select(i => (p, i)));
            Assert.That(accounted, Is.EquivalentTo(logged), $"round {round}");
        }
    }

    [Test]
    public void SetFailureListenerIsPassedOnToTheQueueAndTheListener()
    {
        var wrapped = new ThrowingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(1, QueueFullMode.DropIncoming), wrapped);

        sink.Emit(Some.Event(0));
        sink.Emit(Some.Event(1));
        listener.Start();
        sink.Dispose();

        Assert.That(failures.FailedEvents.Select(Some.SequenceOf).Order(), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void FlushIsDelegatedToTheOwnedListenerAndReturnsFalseOnceDisposed()
    {
        var queue = new LogEventQueue();
        var flushable = new FlushRecordingSink();
        var sink = new QueueSink(queue, new Listener(queue, flushable).Start());
        sink.Emit(Some.Event());
        sink.Emit(Some.Event());

        Assert.That(sink.Flush(Timeouts.Signal), Is.True);
        Assert.That(flushable.EventsAtFlush, Is.EqualTo(new[] { 2 }));
        Assert.That(sink.HandledCount, Is.EqualTo(2));

        sink.Dispose();
        Assert.That(sink.Flush(Timeouts.Signal), Is.False);
    }

    [Test]
    public async Task FlushOfAProducerOnlySinkWaitsForWhoeverRunsTheListener()
    {
        var queue = new LogEventQueue();
        var flushable = new FlushRecordingSink();
        var sink = new QueueSink(queue);
        sink.Emit(Some.Event());
        using var listener = new Listener(queue, flushable).Start();

        Assert.That(await sink.FlushAsync(Timeouts.Signal), Is.True);
        Assert.That(flushable.EventsAtFlush, Is.EqualTo(new[] { 1 }));
        Assert.That(sink.HandledCount, Is.Zero);
    }

    [Test]
    public void BadConstructorArgumentsAreRejectedByName()
    {
        var queue = new LogEventQueue();
        var listener = new Listener(queue, new CollectingSink());
        Assert.Multiple(() =>
        {
            Assert.That(() => new QueueSink(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("queue"));
            Assert.That(() => new QueueSink(queue, null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("listener"));
            Assert.That(() => new QueueSink(new LogEventQueue(), listener),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("listener"));
            Assert.That(() => new QueueSink(queue, listener, TimeSpan.FromSeconds(-5)),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("shutdownTimeout"));
            Assert.That(() => new QueueSink(queue).SetFailureListener(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("failureListener"));
        });
    }

    sealed class ThrowingQueue : ILogEventQueue
    {
        public int Capacity => 1;
        public int Count => 0;
        public long DroppedCount => 0;
        public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken) => throw new InvalidOperationException("queue failed");
        public void EnqueueMarker(QueueMarker marker) => throw new InvalidOperationException("queue failed");

        public int TryDequeue(LogEvent[] batch, out QueueMarker? marker) => throw new InvalidOperationException("queue failed");

        public bool WaitToDequeue(TimeSpan timeout) => throw new InvalidOperationException("queue failed");
    }

    sealed class ThrowingFailureListener : ILoggingFailureListener
    {
        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            throw new InvalidOperationException("listener failed");
        }
    }
}
