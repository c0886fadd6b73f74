using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A protected level in the drop modes: events at or above it are never dropped, they wait for room; the others are
/// still dropped, each counted and reported.
/// </summary>
public class ProtectedLevelTests
{
    const int Producers = 8;
    const int EventsPerProducer = 10_000;

    /// <summary>Every tenth event of each producer is an error.</summary>
    static bool IsError(int sequence) => sequence % 10 == 0;

    /// <summary>
    /// Eight producers into a queue of one: no error is lost; every other event is written or dropped, and each
    /// drop is counted and reported with the event, exactly once.
    /// </summary>
    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void EightProducersIntoABufferOfOneLoseNoProtectedEvent(QueueFullMode fullMode)
    {
        var sink = new CollectingSink();
        var (queue, listener, queueSink, failures) = OwnedPipeline.Over(new LogEventQueue(1, fullMode, LogEventLevel.Error), sink);
        listener.Start();
        using var start = new Barrier(Producers);
        var tasks = Enumerable.Range(0, Producers).Select(p => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(Timeouts.Signal);
            for (var i = 0; i < EventsPerProducer; i++)
            {
                queueSink.Emit(Some.Event(i, IsError(i) ? LogEventLevel.Error : LogEventLevel.Information, p));
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Assert.That(Task.WaitAll(tasks, Timeouts.Signal), Is.True);
        queueSink.Dispose();

        var written = sink.Events.Select(e => (Some.ProducerOf(e), Some.SequenceOf(e))).ToList();
        var reported = failures.FailedEvents.Select(e => (Some.ProducerOf(e), Some.SequenceOf(e))).ToList();
        var errors = Producers * EventsPerProducer / 10;
        Assert.Multiple(() =>
        {
            Assert.That(written.Count(w => IsError(w.Item2)), Is.EqualTo(errors), "errors written");
            Assert.That(reported.Where(r => IsError(r.Item2)), Is.Empty, "errors reported as dropped");
            Assert.That(queue.DroppedCount, Is.GreaterThan(0), "the test must make the queue drop");
            Assert.That(reported, Has.Count.EqualTo(queue.DroppedCount), "every drop reported");
            Assert.That(written.Concat(reported), Is.Unique);
            Assert.That(written.Count + reported.Count, Is.EqualTo(Producers * EventsPerProducer), "every event accounted for");
        });
    }

    /// <summary>
    /// In DropOldest the eviction passes over a protected event: it stays, in its place, and the event below the level
    /// goes. When the oldest event is protected, the incoming event below the level is dropped instead, and an incoming
    /// protected event waits for room.
    /// </summary>
    [Test]
    public void DropOldestEvictsOnlyEventsBelowTheLevel()
    {
        var queue = new LogEventQueue(2, QueueFullMode.DropOldest, LogEventLevel.Error);
        var failures = new CollectingFailureListener();
        queue.SetFailureListener(failures);
        var batch = new LogEvent[4];
        queue.Enqueue(Some.Event(1, LogEventLevel.Information), CancellationToken.None);
        queue.Enqueue(Some.Event(2, LogEventLevel.Error), CancellationToken.None);
        Assert.That(queue.Enqueue(Some.Event(3, LogEventLevel.Information), CancellationToken.None), Is.True, "evicts 1");
        Assert.That(queue.Enqueue(Some.Event(4, LogEventLevel.Information), CancellationToken.None), Is.False, "2 is protected: 4 is dropped");
        Assert.That(queue.DroppedCount, Is.EqualTo(2));

        // A protected event waits for room instead: the queue stays as it is until the listener takes events.
        var waiting = Task.Factory.StartNew(() => queue.Enqueue(Some.Event(5, LogEventLevel.Fatal), CancellationToken.None), TaskCreationOptions.LongRunning);
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(2));
        Assert.That(batch.Take(2).Select(Some.SequenceOf), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(waiting.Wait(Timeouts.Signal), Is.True);
        Assert.That(waiting.Result, Is.True);
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(Some.SequenceOf(batch[0]), Is.EqualTo(5));
        Assert.That(queue.DroppedCount, Is.EqualTo(2));

        queue.ReportPendingDrops();
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf).Order(), Is.EqualTo(new[] { 1, 4 }));
    }

    [Test]
    public void AnUndefinedProtectedLevelIsRejectedNamingTheParameter()
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LogEventQueue(1, QueueFullMode.DropIncoming, (LogEventLevel)9));
        Assert.That(exception!.ParamName, Is.EqualTo("protectedLevel"));
        exception = Assert.Throws<ArgumentOutOfRangeException>(() => new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new CollectingSink()), protectedLevel: (LogEventLevel)9));
        Assert.That(exception!.ParamName, Is.EqualTo("protectedLevel"));
    }
}
