using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

/// <summary>
/// Events the queue drops, and events a wrapped sink fails on, reach Serilog's <c>WriteTo.FallbackChain</c> and
/// <c>WriteTo.Fallible</c>: <see cref="QueueSink"/> passes the failure listener those set on to the queue, the
/// listener and the wrapped sinks.
/// </summary>
public class FallbackRoutingTests
{
    static int[] Sequences(IEnumerable<LogEvent> events) => events.Select(Some.SequenceOf).ToArray();

    [Test]
    public void EventsDroppedIncomingArriveAtTheFallbackOffTheCallingThread()
    {
        var gated = new GatedSink();
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(gated), bufferSize: 1, fullMode: QueueFullMode.DropIncoming),
                wt => wt.Sink(fallback))
            .CreateLogger();
        logger.Write(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        for (var i = 1; i <= 4; i++) logger.Write(Some.Event(i));

        // Reported in one batch a moment later, from a timer: the application thread neither waits nor pays for it.
        Assert.That(fallback.WaitFor(3, Timeouts.Signal), Is.True);
        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 2, 3, 4 }));
        Assert.That(fallback.ThreadIds, Is.All.Not.EqualTo(Environment.CurrentManagedThreadId));
        gated.Open();
        logger.Dispose();
        Assert.That(Sequences(gated.Events), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void EventsEvictedByDropOldestArriveAtTheFallback()
    {
        var gated = new GatedSink();
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(gated), bufferSize: 2, fullMode: QueueFullMode.DropOldest),
                wt => wt.Sink(fallback))
            .CreateLogger();
        logger.Write(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        for (var i = 1; i <= 5; i++) logger.Write(Some.Event(i));

        Assert.That(fallback.WaitFor(3, Timeouts.Signal), Is.True);
        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 1, 2, 3 }));
        gated.Open();
        logger.Dispose();
        Assert.That(Sequences(gated.Events), Is.EqualTo(new[] { 0, 4, 5 }));
    }

    [Test]
    public void OnlyDroppedEventsAtOrAboveTheQueuesMinimumLevelReachTheFallback()
    {
        var gated = new GatedSink();
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(gated), bufferSize: 1, fullMode: QueueFullMode.DropIncoming,
                    restrictedToMinimumLevel: LogEventLevel.Warning),
                wt => wt.Sink(fallback))
            .CreateLogger();
        logger.Write(Some.Event(0, LogEventLevel.Warning));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        logger.Write(Some.Event(1, LogEventLevel.Error));
        logger.Write(Some.Event(2, LogEventLevel.Information));
        logger.Write(Some.Event(3, LogEventLevel.Warning));

        // Event 2 is below the queue's level: filtered, not failed, so it goes nowhere.
        Assert.That(fallback.WaitFor(1, Timeouts.Signal), Is.True);
        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 3 }));
        gated.Open();
        logger.Dispose();
        Assert.That(Sequences(gated.Events), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void EventsAWrappedSinkFailedOnArriveAtTheFallback()
    {
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(new ThrowingSink(everyNth: 2))),
                wt => wt.Sink(fallback))
            .CreateLogger();

        for (var i = 1; i <= 6; i++) logger.Write(Some.Event(i));
        logger.Dispose();

        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 2, 4, 6 }));
    }

    [Test]
    public void EventsOneOfSeveralWrappedSinksFailedOnArriveAtTheFallback()
    {
        var healthy = new CollectingSink();
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(new ThrowingSink(everyNth: 2)).WriteTo.Sink(healthy)),
                wt => wt.Sink(fallback))
            .CreateLogger();

        for (var i = 1; i <= 4; i++) logger.Write(Some.Event(i));
        logger.Dispose();

        Assert.That(Sequences(healthy.Events), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 2, 4 }));
    }

    [Test]
    public void EventsLeftInTheQueueWhenTheShutdownTimeoutPassesArriveAtTheFallback()
    {
        var gated = new GatedSink();
        var fallback = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.FallbackChain(
                wt => wt.Queue(a => a.Sink(gated), shutdownTimeout: TimeSpan.FromMilliseconds(100)),
                wt => wt.Sink(fallback))
            .CreateLogger();
        logger.Write(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        logger.Write(Some.Event(1));
        logger.Write(Some.Event(2));

        logger.Dispose();

        // Event 0 never left the hung sink: the fallback receives it too, reported as possibly written.
        Assert.That(Sequences(fallback.Events), Is.EqualTo(new[] { 1, 2, 0 }));
        gated.Open();
    }

    [Test]
    public void FallibleReportsDroppedAndFailedEventsToTheGivenFailureListener()
    {
        var gated = new GatedSink();
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(
                wt => wt.Queue(a => a.Sink(gated).WriteTo.Sink(new ThrowingSink()), bufferSize: 1,
                    fullMode: QueueFullMode.DropIncoming),
                failures)
            .CreateLogger();
        logger.Write(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        logger.Write(Some.Event(1));
        logger.Write(Some.Event(2));

        gated.Open();
        logger.Dispose();

        var dropped = failures.Failures.Where(f => f.Sender is LogEventQueue).ToList();
        Assert.That(Sequences(dropped.SelectMany(f => f.Events)), Is.EqualTo(new[] { 2 }));
        Assert.That(dropped.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
        var failed = failures.Failures.Where(f => f.Sender is not LogEventQueue).SelectMany(f => f.Events);
        Assert.That(Sequences(failed), Is.EquivalentTo(new[] { 0, 1 }));
    }
}
