using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Many producers against one listener, through the real pipeline, in every full mode, with capacities from one
/// event (every enqueue contends) to ten thousand. Block mode must deliver everything, each producer's events in
/// the order it wrote them; the drop modes must account for every event as delivered or dropped, and keep each
/// producer's order among what they deliver.
/// </summary>
public class ConcurrencyStressTests
{
    static readonly int[] ProducerCounts = TestSizes.Pick([1, 3, 8], [1, 2, 3, 4, 5, 6, 7, 8]);
    static readonly int EventsPerRun = TestSizes.Pick(20000, 200000);

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var fullMode in Enum.GetValues<QueueFullMode>())
        {
            foreach (var capacity in new[] { 1, 2, 16, 10000 })
            {
                yield return new TestCaseData(fullMode, capacity);
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void EveryEventIsDeliveredOrCountedAndEachProducerKeepsItsOrder(QueueFullMode fullMode, int capacity)
    {
        foreach (var producers in ProducerCounts)
        {
            RunAndCheck(fullMode, capacity, producers, EventsPerRun / producers, spinPerEvent: 0);
        }
    }

    [TestCase(QueueFullMode.Block, 1)]
    [TestCase(QueueFullMode.Block, 16)]
    [TestCase(QueueFullMode.DropIncoming, 2)]
    [TestCase(QueueFullMode.DropOldest, 2)]
    [TestCase(QueueFullMode.DropOldest, 16)]
    public void ASlowSinkKeepsTheQueueFullWithoutLosingOrder(QueueFullMode fullMode, int capacity)
    {
        RunAndCheck(fullMode, capacity, producers: 4, eventsPerProducer: TestSizes.Pick(500, 20000), spinPerEvent: 2000);
    }

    [Test]
    public void ThroughALoggerEveryProducerSeesItsEventsInOrder()
    {
        const int producers = 4;
        var eventsPerProducer = TestSizes.Pick(2000, 100000);
        var checker = new OrderCheckingSink(producers);
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(checker), bufferSize: 2)
            .CreateLogger();

        RunProducers(producers, p =>
        {
            var producerLogger = logger.ForContext("Producer", p);
            for (var i = 0; i < eventsPerProducer; i++) producerLogger.Information("Event {Sequence}", i);
        });
        logger.Dispose();

        Assert.That(checker.Violations, Is.Empty);
        Assert.That(checker.Gaps, Is.Zero);
        Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(eventsPerProducer));
    }

    [TestCase(1)]
    [TestCase(16)]
    public void AListenerStoppedAndRestartedWhileProducersRunDeliversEverythingExactlyOnce(int capacity)
    {
        const int producers = 4;
        var eventsPerProducer = TestSizes.Pick(3000, 100000);
        var queue = new LogEventQueue(capacity);
        var checker = new OrderCheckingSink(producers);
        var listener = new Listener(queue, checker).Start();
        var cycles = 0;

        var producing = StartProducers(producers, p =>
        {
            for (var i = 0; i < eventsPerProducer; i++) queue.Enqueue(Some.Event(i, producer: p), CancellationToken.None);
        });

        // Stop and restart as fast as possible; producers block on the full queue while the listener is down.
        while (!producing.IsCompleted)
        {
            Assert.That(listener.Stop(Timeouts.Signal), Is.True);
            listener.Start();
            cycles++;
        }

        Assert.That(producing.Wait(Timeouts.Signal), Is.True);
        listener.Dispose();

        Assert.That(cycles, Is.Positive);
        Assert.That(checker.Violations, Is.Empty);
        Assert.That(checker.Gaps, Is.Zero);
        Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(eventsPerProducer));
        Assert.That(queue.Count, Is.Zero);
    }

    static void RunAndCheck(QueueFullMode fullMode, int capacity, int producers, int eventsPerProducer, int spinPerEvent)
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(capacity, fullMode);
        var checker = new OrderCheckingSink(producers, spinPerEvent);
        var sink = new QueueSink(queue, new Listener(queue, checker).Start());
        sink.SetFailureListener(failures);

        RunProducers(producers, p =>
        {
            for (var i = 0; i < eventsPerProducer; i++) sink.Emit(Some.Event(i, producer: p));
        });
        sink.Dispose();

        var emitted = producers * eventsPerProducer;
        var run = $"{fullMode}, capacity {capacity}, {producers} producers";
        Assert.That(checker.Violations, Is.Empty, run);
        if (fullMode == QueueFullMode.Block)
        {
            Assert.That(checker.Gaps, Is.Zero, run);
            Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(eventsPerProducer), run);
            Assert.That(failures.Failures, Is.Empty, run);
        }
        else
        {
            Assert.That(checker.Delivered + queue.DroppedCount, Is.EqualTo(emitted), run);
            Assert.That(failures.FailedEvents, Has.Count.EqualTo(queue.DroppedCount), run);

            // Every event exactly once, delivered or reported dropped: a loss and a duplicate cannot cancel out.
            var accounted = checker.DeliveredIds.Concat(failures.FailedEvents.Select(e => (Some.ProducerOf(e), Some.SequenceOf(e))));
            var logged = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, eventsPerProducer).Select(i => (p, i)));
            Assert.That(accounted, Is.EquivalentTo(logged), run);
        }
    }

    static void RunProducers(int producers, Action<int> produce)
    {
        Assert.That(StartProducers(producers, produce).Wait(Timeouts.Signal), Is.True);
    }

    /// <summary>Start the producers on threads of their own, released together so that they contend.</summary>
    static async Task StartProducers(int producers, Action<int> produce)
    {
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, producers)
            .Select(p => Task.Factory.StartNew(() =>
            {
                go.Wait();
                produce(p);
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        go.Set();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }
}
