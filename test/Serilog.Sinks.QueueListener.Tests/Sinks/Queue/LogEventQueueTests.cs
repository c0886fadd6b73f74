using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

public class LogEventQueueTests
{
    static List<LogEvent> DrainAll(ILogEventQueue queue)
    {
        var drained = new List<LogEvent>();
        var batch = new LogEvent[4];
        int count;
        while ((count = queue.TryDequeue(batch, out var marker)) > 0 || marker is not null)
        {
            drained.AddRange(batch.Take(count));
        }

        return drained;
    }

    [Test]
    public void EventsComeOutInTheOrderTheyWentIn()
    {
        var queue = new LogEventQueue(8);
        var events = Enumerable.Range(0, 8).Select(i => Some.Event(i)).ToList();
        foreach (var e in events) queue.Enqueue(e, CancellationToken.None);

        Assert.That(queue.Count, Is.EqualTo(8));
        Assert.That(DrainAll(queue), Is.EqualTo(events));
        Assert.That(queue.Count, Is.Zero);
    }

    [Test]
    public void OrderHoldsAcrossManyLapsOfTheRing()
    {
        var queue = new LogEventQueue(3);
        var received = new List<LogEvent>();
        var batch = new LogEvent[2];
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue(Some.Event(i), CancellationToken.None);
            if (i % 3 == 2)
            {
                int count;
                while ((count = queue.TryDequeue(batch, out _)) > 0) received.AddRange(batch.Take(count));
            }
        }

        received.AddRange(DrainAll(queue));
        Assert.That(received.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public void DropIncomingRejectsCountsAndReportsTheNewEvent()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(2, QueueFullMode.DropIncoming);
        queue.SetFailureListener(failures);
        var events = Enumerable.Range(0, 5).Select(i => Some.Event(i)).ToList();

        var accepted = events.Select(e => queue.Enqueue(e, CancellationToken.None)).ToList();

        Assert.That(accepted, Is.EqualTo(new[] { true, true, false, false, false }));
        Assert.That(queue.DroppedCount, Is.EqualTo(3));
        Assert.That(DrainAll(queue), Is.EqualTo(events.Take(2)));

        // Reported a moment later, off the producer's path, in one report for the burst.
        Assert.That(SpinWait.SpinUntil(() => failures.FailedEvents.Count == 3, Timeouts.Signal), Is.True);
        Assert.That(failures.FailedEvents, Is.EqualTo(events.Skip(2)));
        Assert.That(failures.Failures, Has.Count.EqualTo(1));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
    }

    [Test]
    public void DropOldestEvictsCountsAndReportsTheOldestEvent()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(2, QueueFullMode.DropOldest);
        queue.SetFailureListener(failures);
        var events = Enumerable.Range(0, 5).Select(i => Some.Event(i)).ToList();

        var accepted = events.Select(e => queue.Enqueue(e, CancellationToken.None)).ToList();

        Assert.That(accepted, Is.All.True);
        Assert.That(queue.DroppedCount, Is.EqualTo(3));
        Assert.That(DrainAll(queue), Is.EqualTo(events.Skip(3)));

        queue.ReportPendingDrops();
        Assert.That(failures.FailedEvents, Is.EqualTo(events.Take(3)));
        Assert.That(failures.Failures, Has.Count.EqualTo(1));
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
    }

    [Test]
    public void BlockMakesTheProducerWaitUntilTheListenerFreesRoom()
    {
        var queue = new LogEventQueue(1);
        queue.Enqueue(Some.Event(0), CancellationToken.None);
        using var entered = new ManualResetEventSlim();

        var producer = Task.Run(() =>
        {
            entered.Set();
            return queue.Enqueue(Some.Event(1), CancellationToken.None);
        });

        Assert.That(entered.Wait(Timeouts.Signal), Is.True);
        // The producer cannot finish while the queue stays full: a bounded wait that must time out.
        Assert.That(producer.Wait(TimeSpan.FromMilliseconds(200)), Is.False);

        var batch = new LogEvent[1];
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(producer.Wait(Timeouts.Signal), Is.True);
        Assert.That(producer.Result, Is.True);
        Assert.That(DrainAll(queue).Select(Some.SequenceOf), Is.EqualTo(new[] { 1 }));
        Assert.That(queue.DroppedCount, Is.Zero);
    }

    [Test]
    public void CancellingReleasesAProducerWaitingForRoomWithoutAddingItsEvent()
    {
        var queue = new LogEventQueue(1);
        queue.Enqueue(Some.Event(0), CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var producer = Task.Run(() => queue.Enqueue(Some.Event(1), cancellation.Token));
        cancellation.Cancel();

        Assert.That(() => producer.Wait(Timeouts.Signal), Throws.InstanceOf<AggregateException>()
            .With.InnerException.InstanceOf<OperationCanceledException>());
        Assert.That(DrainAll(queue).Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
    }

    [TestCase(QueueFullMode.Block)]
    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void AMarkerPassesAFullQueueAndKeepsItsPlace(QueueFullMode mode)
    {
        var queue = new LogEventQueue(2, mode);
        queue.Enqueue(Some.Event(0), CancellationToken.None);
        queue.Enqueue(Some.Event(1), CancellationToken.None);
        var marker = new QueueMarker(QueueMarkerKind.Plain);

        queue.EnqueueMarker(marker);

        var batch = new LogEvent[8];
        Assert.That(queue.TryDequeue(batch, out var first), Is.EqualTo(2));
        Assert.That(first, Is.Null);
        Assert.That(queue.TryDequeue(batch, out var second), Is.Zero);
        Assert.That(second, Is.SameAs(marker));
        Assert.That(queue.TryDequeue(batch, out var third), Is.Zero);
        Assert.That(third, Is.Null);
    }

    [Test]
    public void ABatchStopsAtAMarkerSoThatLaterEventsComeAfterIt()
    {
        var queue = new LogEventQueue(8);
        queue.Enqueue(Some.Event(0), CancellationToken.None);
        var marker = new QueueMarker(QueueMarkerKind.Plain);
        queue.EnqueueMarker(marker);
        queue.Enqueue(Some.Event(1), CancellationToken.None);

        var batch = new LogEvent[8];
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(Some.SequenceOf(batch[0]), Is.Zero);
        Assert.That(queue.TryDequeue(batch, out var taken), Is.Zero);
        Assert.That(taken, Is.SameAs(marker));
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(1));
        Assert.That(Some.SequenceOf(batch[0]), Is.EqualTo(1));
    }

    [Test]
    public void ANegativeWaitTimeoutIsRejectedAsAWaitTimeoutNotAsTheShutdownTimeout()
    {
        var queue = new LogEventQueue();

        Assert.That(() => queue.WaitToDequeue(TimeSpan.FromSeconds(-2)), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("timeout")
            .And.Message.Not.Contains("shutdown timeout")
            .And.Message.Not.Contains("null"));
    }

    [Test]
    public void WaitToDequeueReturnsWhenAnEventArrivesFromAnotherThread()
    {
        var queue = new LogEventQueue(8);
        Assert.That(queue.WaitToDequeue(TimeSpan.Zero), Is.False);

        var waiter = Task.Run(() => queue.WaitToDequeue(Timeouts.Signal));
        queue.Enqueue(Some.Event(), CancellationToken.None);

        Assert.That(waiter.Wait(Timeouts.Signal), Is.True);
        Assert.That(waiter.Result, Is.True);
    }

    [Test]
    public void WaitToDequeueReturnsWhenAMarkerArrives()
    {
        var queue = new LogEventQueue(8);
        var waiter = Task.Run(() => queue.WaitToDequeue(Timeouts.Signal));
        queue.EnqueueMarker(new QueueMarker(QueueMarkerKind.Plain));

        Assert.That(waiter.Wait(Timeouts.Signal), Is.True);
        Assert.That(waiter.Result, Is.True);
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    [TestCase(LogEventQueue.MaxCapacity + 1)]
    public void ACapacityOutOfRangeIsRejectedByName(int capacity)
    {
        Assert.That(() => new LogEventQueue(capacity),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("capacity"));
    }

    [Test]
    public void AnUndefinedFullModeIsRejectedByName()
    {
        Assert.That(() => new LogEventQueue(10, (QueueFullMode)42),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("fullMode"));
    }

    [Test]
    public void NullArgumentsAreRejectedByName()
    {
        var queue = new LogEventQueue(4);
        Assert.Multiple(() =>
        {
            Assert.That(() => queue.Enqueue(null!, CancellationToken.None),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("logEvent"));
            Assert.That(() => queue.EnqueueMarker(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("marker"));
            Assert.That(() => queue.TryDequeue(null!, out _),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("batch"));
            Assert.That(() => queue.TryDequeue([], out _),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("batch"));
            Assert.That(() => queue.SetFailureListener(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("failureListener"));
        });
    }

    [TestCase(QueueFullMode.Block)]
    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void ConcurrentProducersLoseNothingUncountedAndKeepTheirOwnOrder(QueueFullMode mode)
    {
        const int producers = 4;
        const int perProducer = 20_000;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16, mode);
        queue.SetFailureListener(failures);
        var received = new List<LogEvent>();

        using var done = new CancellationTokenSource();
        var consumer = Task.Factory.StartNew(() =>
        {
            var batch = new LogEvent[32];
            while (true)
            {
                var count = queue.TryDequeue(batch, out _);
                if (count > 0)
                {
                    received.AddRange(batch.Take(count));
                }
                else if (done.IsCancellationRequested && queue.Count == 0)
                {
                    return;
                }
                else
                {
                    queue.WaitToDequeue(TimeSpan.FromMilliseconds(10));
                }
            }
        }, TaskCreationOptions.LongRunning);

        var threads = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < perProducer; i++) queue.Enqueue(Some.Event(i, producer: p), CancellationToken.None);
        }, TaskCreationOptions.LongRunning)).ToArray();

        Assert.That(Task.WaitAll(threads, Timeouts.Signal), Is.True);
        done.Cancel();
        Assert.That(consumer.Wait(Timeouts.Signal), Is.True);

        Assert.That(received.Count + queue.DroppedCount, Is.EqualTo(producers * perProducer));
        queue.ReportPendingDrops();
        Assert.That(failures.FailedEvents, Has.Count.EqualTo(queue.DroppedCount));
        if (mode == QueueFullMode.Block) Assert.That(queue.DroppedCount, Is.Zero);

        // Every event exactly once, received or reported dropped: a loss and a duplicate cannot cancel out.
        var accounted = received.Concat(failures.FailedEvents).Select(e => (Some.ProducerOf(e), Some.SequenceOf(e)));
        var logged = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => (p, i)));
        Assert.That(accounted, Is.EquivalentTo(logged));
        foreach (var group in received.GroupBy(Some.ProducerOf))
        {
            // Strictly: each producer's events in the order it enqueued them, none twice.
            var sequences = group.Select(Some.SequenceOf).ToList();
            Assert.That(sequences.Zip(sequences.Skip(1)).All(pair => pair.First < pair.Second), Is.True, $"producer {group.Key}");
        }
    }
}
