using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

/// <summary>
/// <see cref="Listener.Flush"/>, <see cref="Listener.FlushAsync"/> and <see cref="Listener.HandledCount"/>, for
/// those who run a listener themselves.
/// </summary>
public class QueueListenerFlushTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    static void EnqueueRange(ILogEventQueue queue, int from, int count)
    {
        for (var i = from; i < from + count; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
    }

    [Test]
    public void FlushCallsFlushToDiskOnEachSinkThatHasItAfterTheEarlierEvents()
    {
        var queue = new LogEventQueue();
        var flushable = new FlushRecordingSink();
        var plain = new CollectingSink();
        using var listener = new Listener(queue, plain, flushable).Start();
        EnqueueRange(queue, 0, 50);

        Assert.That(listener.Flush(Timeouts.Signal), Is.True);

        Assert.That(flushable.EventsAtFlush, Is.EqualTo(new[] { 50 }));
        Assert.That(plain.Events, Has.Count.EqualTo(50));
        Assert.That(listener.HandledCount, Is.EqualTo(50));
    }

    [Test]
    public void AFlushToDiskImplementedExplicitlyThroughAnInterfaceIsFoundToo()
    {
        var queue = new LogEventQueue();
        var sink = new ExplicitlyFlushableSink();
        using var listener = new Listener(queue, sink).Start();

        Assert.That(listener.Flush(Timeouts.Signal), Is.True);
        Assert.That(sink.FlushCount, Is.EqualTo(1));
    }

    [Test]
    public void AFailingFlushIsReportedTheOtherSinksAreStillFlushedAndFlushReturnsFalse()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var failing = new FlushRecordingSink(throwOnFlush: true);
        var healthy = new FlushRecordingSink();
        using var listener = new Listener(queue, failing, healthy);
        listener.SetFailureListener(failures);
        listener.Start();
        EnqueueRange(queue, 0, 2);

        Assert.That(listener.Flush(Timeouts.Signal), Is.False);

        Assert.That(healthy.EventsAtFlush, Is.EqualTo(new[] { 2 }));
        Assert.That(failures.Failures.Single().Kind, Is.EqualTo(LoggingFailureKind.Temporary));
        Assert.That(failures.Failures.Single().Exception, Is.InstanceOf<IOException>());
    }

    [Test]
    public async Task FlushAsyncWhileASinkHangsReturnsFalseAfterTheTimeoutOrThrowsWhenCancelled()
    {
        var queue = new LogEventQueue();
        var sink = new GatedSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 1);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);

        Assert.That(await listener.FlushAsync(Short), Is.False);
        using var cancellation = new CancellationTokenSource();
        var cancelled = listener.FlushAsync(Timeouts.Signal, cancellation.Token);
        await cancellation.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());

        sink.Open();
        Assert.That(await listener.FlushAsync(Timeouts.Signal), Is.True);
    }

    [Test]
    public async Task AFlushPassesAFullBlockingQueueWithoutTakingAnEventsPlace()
    {
        var queue = new LogEventQueue(1, QueueFullMode.Block);
        var sink = new GatedSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 1);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);
        EnqueueRange(queue, 1, 1);

        // The queue is full; the flush neither waits for room nor evicts the queued event.
        var flush = listener.FlushAsync(Timeouts.Signal);
        Assert.That(queue.Count, Is.EqualTo(1));

        sink.Open();
        Assert.That(await flush, Is.True);
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void EachFlushCoversEverythingItsCallerEnqueuedWhileOtherProducersKeepTheQueueFull()
    {
        var queue = new LogEventQueue(64, QueueFullMode.Block);
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();
        using var stop = new CancellationTokenSource();
        var others = Enumerable.Range(1, 2).Select(producer => Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++) queue.Enqueue(Some.Event(i, producer: producer), CancellationToken.None);
        })).ToArray();

        for (var round = 1; round <= 20; round++)
        {
            for (var i = 0; i < 50; i++) queue.Enqueue(Some.Event((round * 50) + i), CancellationToken.None);

            Assert.That(listener.Flush(Timeouts.Signal), Is.True);
            var mine = sink.Events.Where(e => Some.ProducerOf(e) == 0).Select(Some.SequenceOf).ToList();
            Assert.That(mine, Is.EqualTo(Enumerable.Range(50, round * 50)));
        }

        stop.Cancel();
        Assert.That(Task.WaitAll(others, Timeouts.Signal), Is.True);
    }

    [Test]
    public void FlushAnswersAtOnceWhenTheListenerIsNotRunningTrueForAnEmptyQueueAndFalseOnceDisposed()
    {
        var queue = new LogEventQueue();
        var listener = new Listener(queue, new CollectingSink());

        Assert.That(listener.Flush(Timeouts.Signal), Is.True);
        listener.Start();
        listener.Dispose();
        Assert.That(listener.Flush(Timeouts.Signal), Is.False);
        Assert.That(queue.TryDequeue(new Serilog.Events.LogEvent[1], out var marker), Is.Zero);
        Assert.That(marker, Is.Null);
    }

    [Test]
    public void AFlushThatLosesTheRaceWithStopReturnsFalseWhenTheThreadEndsNotAfterItsTimeout()
    {
        var queue = new LogEventQueue();
        var sink = new GatedSink();
        using var listener = new Listener(queue, sink).Start();
        EnqueueRange(queue, 0, 1);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);
        Assert.That(listener.Stop(TimeSpan.Zero), Is.False);

        // Stopping: the marker would stand behind the sentinel, so the flush does not wait at all, where waiting out
        // its timeout would also return false.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(listener.Flush(Timeouts.Signal), Is.False);
        Assert.That(stopwatch.Elapsed, Is.LessThan(Timeouts.Signal / 3));
        sink.Open();
    }

    [Test]
    public void HandledCountCountsEveryEventHandledEvenWhenASinkFailsOnIt()
    {
        var queue = new LogEventQueue();
        using var listener = new Listener(queue, new ThrowingSink(everyNth: 2));
        listener.SetFailureListener(new CollectingFailureListener());
        listener.Start();
        EnqueueRange(queue, 0, 7);

        listener.Stop();

        Assert.That(listener.HandledCount, Is.EqualTo(7));
    }

    [Test]
    public void ANegativeFlushTimeoutIsRejectedByName()
    {
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()).Start();
        Assert.That(() => listener.Flush(TimeSpan.FromSeconds(-2)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("timeout"));
        Assert.That(() => listener.FlushAsync(TimeSpan.FromSeconds(-2)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("timeout"));
    }
}
