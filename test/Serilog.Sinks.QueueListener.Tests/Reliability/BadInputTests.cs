using NUnit.Framework.Constraints;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Every public constructor and method given null, zero, negative and huge values: each is rejected at the edge
/// with an exception that names the parameter (and, for a range, says what is allowed), never with a
/// <see cref="NullReferenceException"/> from inside.
/// </summary>
public class BadInputTests
{
    static readonly TimeSpan Negative = TimeSpan.FromMilliseconds(-2);
    static readonly TimeSpan Huge = TimeSpan.MaxValue;
    static readonly TimeSpan JustOverTheLimit = TimeSpan.FromMilliseconds(int.MaxValue + 1L);

    static Constraint OutOfRange(string parameterName) =>
        Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo(parameterName);

    static Constraint Null(string parameterName) =>
        Throws.ArgumentNullException.With.Property("ParamName").EqualTo(parameterName);

    static Constraint Invalid(string parameterName) =>
        Throws.ArgumentException.With.Property("ParamName").EqualTo(parameterName);

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MinValue)]
    [TestCase(LogEventQueue.MaxCapacity + 1)]
    [TestCase(int.MaxValue)]
    public void AQueueCapacityOutOfRangeIsRejectedWithTheAllowedRange(int capacity)
    {
        Assert.That(() => new LogEventQueue(capacity),
            OutOfRange("capacity").And.Message.Contains("The capacity must be from 1 to"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(LogEventQueue.MaxCapacity + 1)]
    [TestCase(int.MaxValue)]
    public void AWriteToQueueBufferSizeOutOfRangeIsRejectedWithTheAllowedRange(int bufferSize)
    {
        Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), bufferSize: bufferSize),
            OutOfRange("bufferSize").And.Message.Contains("The buffer size must be from 1 to"));
    }

    [Test]
    public void TheQueueRejectsBadArgumentsByName()
    {
        var queue = new LogEventQueue(4);
        Assert.Multiple(() =>
        {
            Assert.That(() => new LogEventQueue(4, (QueueFullMode)99), OutOfRange("fullMode"));
            Assert.That(() => new LogEventQueue(4, (QueueFullMode)(-1)), OutOfRange("fullMode"));
            Assert.That(() => queue.Enqueue(null!, CancellationToken.None), Null("logEvent"));
            Assert.That(() => queue.EnqueueMarker(null!), Null("marker"));
            Assert.That(() => queue.TryDequeue(null!, out _), Null("batch"));
            Assert.That(() => queue.TryDequeue([], out _), Invalid("batch"));
            Assert.That(() => queue.WaitToDequeue(Negative), OutOfRange("timeout"));
            Assert.That(() => queue.WaitToDequeue(Huge), OutOfRange("timeout"));
            Assert.That(() => queue.WaitToDequeue(JustOverTheLimit), OutOfRange("timeout"));
            Assert.That(() => queue.SetFailureListener(null!), Null("failureListener"));
        });

        // None of that changed the queue.
        Assert.That(queue.Count, Is.Zero);
        Assert.That(queue.WaitToDequeue(TimeSpan.Zero), Is.False);
    }

    [Test]
    public void TheListenerRejectsBadArgumentsByName()
    {
        var queue = new LogEventQueue(4);
        var listener = new Listener(queue, new CollectingSink());
        Assert.Multiple(() =>
        {
            Assert.That(() => new Listener(null!, new CollectingSink()), Null("queue"));
            Assert.That(() => new Listener(queue, (ILogEventSink[])null!), Null("sinks"));
            Assert.That(() => new Listener(queue, (IEnumerable<ILogEventSink>)null!), Null("sinks"));
            Assert.That(() => new Listener(queue, new CollectingSink(), null!), Invalid("sinks"));
            Assert.That(() => listener.Stop(Negative), OutOfRange("timeout"));
            Assert.That(() => listener.Stop(Huge), OutOfRange("timeout"));
            Assert.That(() => listener.SetFailureListener(null!), Null("failureListener"));
        });
    }

    [Test]
    public void TheListenerRejectsBadTimeoutsWhileRunningWithoutStopping()
    {
        var queue = new LogEventQueue(4);
        using var listener = new Listener(queue, new CollectingSink()).Start();

        Assert.That(() => listener.Stop(Negative), OutOfRange("timeout"));
        Assert.That(listener.IsRunning, Is.True);
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);
    }

    [Test]
    public void TheListenerRejectsStartingTwiceAndStartingAfterDispose()
    {
        var queue = new LogEventQueue(4);
        var listener = new Listener(queue, new CollectingSink()).Start();

        Assert.That(() => listener.Start(), Throws.InvalidOperationException);
        listener.Dispose();
        Assert.That(() => listener.Start(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void TheSinkRejectsBadArgumentsByNameAndAcceptsTheEdgesOfTheRange()
    {
        var queue = new LogEventQueue(4);
        Assert.Multiple(() =>
        {
            Assert.That(() => new QueueSink(null!), Null("queue"));
            Assert.That(() => new QueueSink(null!, new Listener(queue)), Null("queue"));
            Assert.That(() => new QueueSink(queue, null!, TimeSpan.Zero), Null("listener"));
            Assert.That(() => new QueueSink(queue, new Listener(new LogEventQueue(4)), null), Invalid("listener"));
            Assert.That(() => new QueueSink(queue, new Listener(queue), Negative), OutOfRange("shutdownTimeout"));
            Assert.That(() => new QueueSink(queue, new Listener(queue), Huge), OutOfRange("shutdownTimeout"));
            Assert.That(() => new QueueSink(queue, new Listener(queue), JustOverTheLimit), OutOfRange("shutdownTimeout"));
            Assert.That(() => new QueueSink(queue).SetFailureListener(null!), Null("failureListener"));

            Assert.That(() => new QueueSink(queue, new Listener(queue), TimeSpan.Zero), Throws.Nothing);
            Assert.That(() => new QueueSink(queue, new Listener(queue), Timeout.InfiniteTimeSpan), Throws.Nothing);
            Assert.That(() => new QueueSink(queue, new Listener(queue), TimeSpan.FromMilliseconds(int.MaxValue)), Throws.Nothing);
        });
    }

    [Test]
    public void ANullEventIsReportedNotThrown()
    {
        var failures = new CollectingFailureListener();
        var sink = new QueueSink(new LogEventQueue(4));
        sink.SetFailureListener(failures);

        Assert.That(() => sink.Emit(null!), Throws.Nothing);
        Assert.That(failures.Failures.Single().Exception, Is.InstanceOf<ArgumentNullException>());
    }

    [Test]
    public void WriteToQueueRejectsBadArgumentsByName()
    {
        void Configure(LoggerSinkConfiguration a) => a.Sink(new CollectingSink());

        Assert.Multiple(() =>
        {
            Assert.That(() => QueueLoggerConfigurationExtensions.Queue(null!, Configure), Null("loggerSinkConfiguration"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(null!), Null("configure"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(Configure, fullMode: (QueueFullMode)99), OutOfRange("fullMode"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(Configure, shutdownTimeout: Negative), OutOfRange("shutdownTimeout"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(Configure, shutdownTimeout: Huge), OutOfRange("shutdownTimeout"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(Configure, listenerType: typeof(string)), Invalid("listenerType"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(Configure, listenerType: typeof(NoUsableConstructorListener)), Invalid("listenerType"));
        });
    }

    [Test]
    public void WriteToQueueAcceptsTheEdgesOfTheRange()
    {
        var collecting = new CollectingSink();
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Queue(a => a.Sink(collecting), bufferSize: 1, shutdownTimeout: TimeSpan.Zero, drainOnProcessExit: false)
                   .CreateLogger())
        {
            logger.Information("Event {Sequence} from {Producer}", 0, 0);
        }

        // With no time to drain, the listener thread is abandoned; the sink is disposed all the same, by this
        // thread or by the listener thread as it ends.
        Assert.That(SpinWait.SpinUntil(() => collecting.DisposeCount == 1, Timeouts.Signal), Is.True);
    }

    [Test]
    public void ListenerTypeAndListenerFactoryTogetherAreRefusedNamingTheFactory()
    {
        var configuration = new LoggerConfiguration();

        Assert.That(() => configuration.WriteTo.Queue(a => a.Sink(new CollectingSink()), listenerType: typeof(Listener),
                listenerFactory: (queue, sinks) => new Listener(queue, sinks.ToArray())),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("listenerFactory"));
    }

    [Test]
    public void AListenerFactoryThatReturnsAListenerOverAnotherQueueIsRefused()
    {
        var other = new LogEventQueue();

        Assert.That(() => new LoggerConfiguration()
                .WriteTo.Queue(a => a.Sink(new CollectingSink()), listenerFactory: (_, sinks) => new Listener(other, sinks.ToArray()))
                .CreateLogger(),
            Throws.InvalidOperationException.With.Message.Contains("queue it was given"));
    }

    sealed class NoUsableConstructorListener(ILogEventQueue queue) : Listener(queue);
}
