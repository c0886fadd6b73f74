using System.Diagnostics;
using Serilog.Core;
using Serilog.Core.Enrichers;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Sinks that throw, hang or fail to dispose, and a <c>Prepare</c> that throws: the pipeline must keep writing to
/// the healthy sinks, report each failure with its event, and shut down within its timeout.
/// </summary>
public class SinkFaultTests
{
    [Test]
    public void ASinkThatThrowsEveryNthEventNeitherStopsTheListenerNorStarvesTheOtherSink()
    {
        const int events = 1000;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var healthy = new CollectingSink();
        var sink = new QueueSink(queue, new Listener(queue, new ThrowingSink(everyNth: 7), healthy).Start());
        sink.SetFailureListener(failures);

        for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        sink.Dispose();

        Assert.That(healthy.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        var everySeventh = Enumerable.Range(0, events).Where(i => i % 7 == 6);
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(everySeventh));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
        Assert.That(failures.Failures.Select(f => f.Exception), Is.All.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void ASinkWhoseDisposeThrowsIsReportedAndTheOtherSinksAreStillDisposed()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var healthy = new CollectingSink();
        var sink = new QueueSink(queue, new Listener(queue, new ThrowingSink(int.MaxValue, throwOnDispose: true), healthy).Start());
        sink.SetFailureListener(failures);
        sink.Emit(Some.Event(0));

        Assert.That(sink.Dispose, Throws.Nothing);

        Assert.That(healthy.Events, Has.Count.EqualTo(1));
        Assert.That(healthy.DisposeCount, Is.EqualTo(1));
        Assert.That(sink.Listener!.IsRunning, Is.False);
        var failure = failures.Failures.Single();
        Assert.That(failure.Message, Does.Contain("disposing"));
        Assert.That(failure.Exception, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void ASinkThatHangsForeverDelaysDisposeOnlyByTheShutdownTimeoutAndEveryEventIsAccountedFor()
    {
        const int events = 100;
        var shutdownTimeout = TimeSpan.FromMilliseconds(500);
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var hanging = new GatedSink();
        var listener = new Listener(queue, hanging).Start();
        var sink = new QueueSink(queue, listener, shutdownTimeout);
        sink.SetFailureListener(failures);
        try
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
            Assert.That(hanging.WaitUntilEntered(Timeouts.Signal), Is.True);

            var stopwatch = Stopwatch.StartNew();
            sink.Dispose();
            stopwatch.Stop();

            Assert.That(stopwatch.Elapsed, Is.LessThan(shutdownTimeout + TimeSpan.FromSeconds(1)));
            Assert.That(failures.Failures.Where(f => f.Kind == LoggingFailureKind.Final), Is.Not.Empty);
            Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("were not written"));
        }
        finally
        {
            hanging.Open();
        }

        // Released, the abandoned listener writes the event it was in, which disposal reported as possibly written;
        // everything else was reported as not written: every event exactly once, one way or the other.
        Assert.That(SpinWait.SpinUntil(() => hanging.Events.Count + failures.NotWrittenEvents.Count >= events, Timeouts.Signal), Is.True);
        Assert.That(failures.PossiblyWrittenEvents, Is.EqualTo(hanging.Events));
        var accounted = hanging.Events.Concat(failures.NotWrittenEvents).Select(Some.SequenceOf).Order();
        Assert.That(accounted, Is.EqualTo(Enumerable.Range(0, events)));

        // And then it ends, rather than park for good on a queue that disposal emptied of its sentinel.
        Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Timeouts.Signal), Is.True);
        Assert.That(hanging.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void ASinkHungWhileHoldingTheLockItsDisposeNeedsDelaysDisposeOnlyByTheShutdownTimeout()
    {
        var shutdownTimeout = TimeSpan.FromMilliseconds(300);
        var queue = new LogEventQueue();
        var hanging = new LockHoldingHangingSink();
        var sink = new QueueSink(queue, new Listener(queue, hanging).Start(), shutdownTimeout);
        sink.SetFailureListener(new CollectingFailureListener());
        try
        {
            sink.Emit(Some.Event(0));
            Assert.That(hanging.WaitUntilEntered(Timeouts.Signal), Is.True);

            var stopwatch = Stopwatch.StartNew();
            var disposing = Task.Run(sink.Dispose);

            Assert.That(disposing.Wait(Timeouts.Signal), Is.True, "dispose waited for the hung sink");
            Assert.That(stopwatch.Elapsed, Is.LessThan(shutdownTimeout + TimeSpan.FromSeconds(1)));
        }
        finally
        {
            hanging.Open();
        }

        // The sink is still disposed, by the listener thread once the sink lets it go.
        Assert.That(hanging.WaitUntilDisposed(Timeouts.Signal), Is.True);
    }

    [Test]
    public void WhenPrepareThrowsTheSinksReceiveTheEventUnpreparedAndTheFailureIsReported()
    {
        const int events = 300;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(8);
        var collecting = new CollectingSink();
        var listener = new RecordingListener(queue, [collecting])
        {
            OnPrepare = e => Some.SequenceOf(e) % 3 == 0 ? throw new InvalidOperationException("Prepare failed.") : e,
        };
        var sink = new QueueSink(queue, listener.Start());
        sink.SetFailureListener(failures);

        for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));
        sink.Dispose();

        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events).Where(i => i % 3 == 0)));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary));
    }

    [Test]
    public void AnEnricherThatThrowsInPrepareDoesNotStopALogger()
    {
        const int events = 200;
        var collecting = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(collecting), prepare: e => e.With(new ThrowingEnricher()))
            .CreateLogger();

        for (var i = 0; i < events; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        logger.Dispose();

        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
    }

    [Test]
    public void WhenOneOfSeveralPrepareEnrichersThrowsTheFailureIsReportedAndTheSinksReceiveTheEventUnprepared()
    {
        var failures = new CollectingFailureListener();
        var collecting = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(
                w => w.Queue(a => a.Sink(collecting),
                    prepare: e => e.With(new ThrowingEnricher(), new PropertyEnricher("Prepared", true))),
                failures)
            .CreateLogger();

        logger.Information("Event {Sequence} from {Producer}", 0, 0);
        logger.Dispose();

        Assert.That(failures.Failures.Select(f => f.Kind), Is.EqualTo(new[] { LoggingFailureKind.Temporary }));
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
        Assert.That(collecting.Events.Single().Properties, Does.Not.ContainKey("Prepared"));
    }

    sealed class ThrowingEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
            throw new InvalidOperationException("The enricher failed, as it was told to.");
    }
}
