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
    const int EventsPerProducer = 4_000;

    /// <summary>Every tenth event of each producer is an error.</summary>
    static bool IsError(int sequence) => sequence % 10 == 0;

    /// <summary>
    /// Eight producers into a queue of one, and of sixteen behind a slower sink, where DropOldest evicts from behind
    /// protected events: no error is lost; every other event is written or dropped, each drop counted and reported
    /// with the event, exactly once; and each producer's written events keep its order.
    /// </summary>
    [TestCase(QueueFullMode.DropIncoming, 1)]
    [TestCase(QueueFullMode.DropOldest, 1)]
    [TestCase(QueueFullMode.DropOldest, 16)]
    public void EightProducersLoseNoProtectedEventAndAccountForEveryOther(QueueFullMode fullMode, int capacity)
    {
        var sink = new CallbackSink(_ => Thread.SpinWait(capacity > 1 ? 200 : 0));
        var (queue, listener, queueSink, failures) = OwnedPipeline.Over(new LogEventQueue(capacity, fullMode, LogEventLevel.Error), sink);
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

        var written = sink.Events.Select(e => (Producer: Some.ProducerOf(e), Sequence: Some.SequenceOf(e))).ToList();
        var reported = failures.FailedEvents.Select(e => (Producer: Some.ProducerOf(e), Sequence: Some.SequenceOf(e))).ToList();
        var errors = Producers * EventsPerProducer / 10;
        Assert.Multiple(() =>
        {
            Assert.That(written.Count(w => IsError(w.Sequence)), Is.EqualTo(errors), "errors written");
            Assert.That(reported.Where(r => IsError(r.Sequence)), Is.Empty, "errors reported as dropped");
            Assert.That(queue.DroppedCount, Is.GreaterThan(0), "the test must make the queue drop");
            Assert.That(reported, Has.Count.EqualTo(queue.DroppedCount), "every drop reported");
            Assert.That(written.Concat(reported), Is.Unique);
            Assert.That(written.Count + reported.Count, Is.EqualTo(Producers * EventsPerProducer), "every event accounted for");
            foreach (var producer in written.GroupBy(w => w.Producer))
            {
                Assert.That(producer.Select(w => w.Sequence), Is.Ordered, $"producer {producer.Key}'s order");
            }
        });
    }

    /// <summary>
    /// In DropOldest an eviction takes the oldest event below the level: at the head, or from behind protected
    /// events, in place. An incoming protected event evicts such an event too, or waits for room when there is none;
    /// an incoming event below the level is dropped only when no slot is free for it.
    /// </summary>
    [Test]
    public void DropOldestEvictsTheOldestEventBelowTheLevel()
    {
        var queue = new LogEventQueue(2, QueueFullMode.DropOldest, LogEventLevel.Error);
        var failures = new CollectingFailureListener();
        queue.SetFailureListener(failures);
        var batch = new LogEvent[8];
        bool Enqueue(int sequence, LogEventLevel level) => queue.Enqueue(Some.Event(sequence, level), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(Enqueue(1, LogEventLevel.Information), Is.True);
            Assert.That(Enqueue(2, LogEventLevel.Error), Is.True);
            Assert.That(Enqueue(3, LogEventLevel.Information), Is.True, "evicts 1, at the head");
            Assert.That(Enqueue(4, LogEventLevel.Information), Is.True, "evicts 3, behind the protected 2");
            Assert.That(Enqueue(5, LogEventLevel.Fatal), Is.True, "evicts 4");
            Assert.That(queue.Count, Is.EqualTo(2));
            Assert.That(Enqueue(6, LogEventLevel.Information), Is.False, "no slot is free while 2 waits for the listener");
            Assert.That(queue.DroppedCount, Is.EqualTo(4));
        });

        // A protected event with nothing to evict waits for room: the queue stays as it is until the listener takes
        // events, then it is added, not dropped.
        var waiting = Task.Factory.StartNew(() => Enqueue(7, LogEventLevel.Error), TaskCreationOptions.LongRunning);
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(2));
        Assert.That(batch.Take(2).Select(Some.SequenceOf), Is.EqualTo(new[] { 2, 5 }));
        Assert.That(waiting.Wait(Timeouts.Signal), Is.True);
        Assert.That(waiting.Result, Is.True);
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(Some.SequenceOf(batch[0]), Is.EqualTo(7));
        Assert.That(queue.DroppedCount, Is.EqualTo(4));

        queue.ReportPendingDrops();
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf).Order(), Is.EqualTo(new[] { 1, 3, 4, 6 }));
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
