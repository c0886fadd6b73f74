using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A wrapped sink that logs through the logger it writes for, so from the listener thread back into its own queue:
/// the listener must neither deadlock waiting for room only it can make, nor feed itself without end; an event it
/// cannot take is reported with the event.
/// </summary>
public class ReentrancyTests
{
    const int SinkOverflow = ListenerThreadEnqueue.OverflowLimit;

    [Test]
    public void ASinkLoggingThroughItsOwnLoggerIntoAFullBlockQueueNeitherDeadlocksNorLosesAnEventUnreported()
    {
        const int events = 1000;
        var failures = new CollectingFailureListener();
        var loggingBack = new LoggingBackSink((logger, e) =>
        {
            if (OriginOf(e) == "app") logger.ForContext("Origin", "sink").Information("Logged back for {Sequence}", Some.SequenceOf(e));
        });
        var queue = new LogEventQueue(2, QueueFullMode.Block);
        var listener = new Listener(queue, loggingBack);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        loggingBack.Logger = logger;

        var app = logger.ForContext("Origin", "app");
        var run = BoundedCall.Run(() =>
        {
            for (var i = 0; i < events; i++) app.Information("Event {Sequence}", i);
            logger.Dispose();
        }, TimeSpan.FromSeconds(10));

        // Disposal releases producers waiting for room, which ends a deadlock, so that its threads do not linger.
        if (!run.Completed) BoundedCall.Run(sink.Dispose, Timeouts.Signal);

        Assert.That(run.Completed, Is.True, "logging and disposal deadlocked");
        var written = loggingBack.Events;
        Assert.That(written.Where(e => OriginOf(e) == "app").Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        var loggedBack = written.Concat(failures.FailedEvents)
            .Where(e => OriginOf(e) == "sink")
            .Select(Some.SequenceOf)
            .Order();
        Assert.That(loggedBack, Is.EqualTo(Enumerable.Range(0, events)));
    }

    [Test]
    public void EventsLoggedOnTheListenerThreadIntoAFullQueueAreCarriedPastItUpToTheLimitAndTheRestReported()
    {
        const int loggedBack = SinkOverflow + 200;
        var failures = new CollectingFailureListener();
        var loggingBack = new LoggingBackSink((logger, e) =>
        {
            if (OriginOf(e) != "app") return;
            for (var i = 0; i < loggedBack; i++) logger.ForContext("Origin", "sink").Information("Logged back {Sequence}", i);
        });
        var queue = new LogEventQueue(4, QueueFullMode.Block);
        var listener = new Listener(queue, loggingBack);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        loggingBack.Logger = logger;

        logger.ForContext("Origin", "app").Information("Event {Sequence}", 0);

        // The flush marker stands behind the app event, so it is reached once the sink has logged back.
        Assert.That(sink.Flush(Timeouts.Signal), Is.True);
        var run = BoundedCall.Run(logger.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(run.Completed, Is.True);
        var written = loggingBack.Events.Where(e => OriginOf(e) == "sink").Select(Some.SequenceOf).ToList();
        var reported = failures.FailedEvents.Where(e => OriginOf(e) == "sink").Select(Some.SequenceOf).ToList();

        // Four fit the queue, the limit more are carried past it in order, and the rest are reported, each once.
        Assert.That(written, Is.EqualTo(Enumerable.Range(0, 4 + SinkOverflow)));
        Assert.That(reported, Is.EqualTo(Enumerable.Range(4 + SinkOverflow, loggedBack - 4 - SinkOverflow)));

        // Dropped for want of room like any other drop, so counted with them, where a health check or the dropped
        // metric looks.
        Assert.That(queue.DroppedCount, Is.EqualTo(loggedBack - 4 - SinkOverflow));
    }

    [Test]
    public void ASinkThatLogsForEveryEventItReceivesIsCutOffAndReportedAsReentrant()
    {
        var failures = new CollectingFailureListener();
        var loggingBack = new LoggingBackSink((logger, e) => logger.Information("Event {Sequence}", Some.SequenceOf(e) + 1));
        var queue = new LogEventQueue(16, QueueFullMode.Block);
        var listener = new Listener(queue, loggingBack);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(failures);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        loggingBack.Logger = logger;

        logger.Information("Event {Sequence}", 0);

        // A flush returns once everything logged before it has been handled, and an event is logged back before the
        // one that caused it has been handled; so while the recursion goes on, each round handles at least one more
        // event. Once the library has cut it off, the rounds handle nothing.
        for (var round = 0; round < 25; round++)
        {
            Assert.That(sink.Flush(Timeouts.Signal), Is.True, $"flush round {round}");
        }

        var disposal = BoundedCall.Run(logger.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");

        // Event k is logged at nesting depth k: depths 0 to 8 are written, and the event at depth 9 is cut off,
        // reported once as a permanent failure with the event itself.
        Assert.That(loggingBack.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, ListenerThreadContext.MaxDepth + 1)));
        var cutOff = failures.Failures.Where(f => f.Events.Count > 0).ToList();
        Assert.That(cutOff, Has.Count.EqualTo(1));
        Assert.That(cutOff[0].Message, Does.Contain("reentrant").IgnoreCase);
        Assert.That(cutOff[0].Kind, Is.EqualTo(Serilog.Core.LoggingFailureKind.Permanent));
        Assert.That(cutOff[0].Events.Select(Some.SequenceOf), Is.EqualTo(new[] { ListenerThreadContext.MaxDepth + 1 }));
    }

    static string? OriginOf(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("Origin", out var value) && value is ScalarValue { Value: string origin } ? origin : null;
}
