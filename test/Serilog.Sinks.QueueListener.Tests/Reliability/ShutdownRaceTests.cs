using System.Diagnostics;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Shutdown racing with logging, and lifecycles driven hard: no deadlock, no leaked thread, and no event lost
/// without a report.
/// </summary>
public class ShutdownRaceTests
{
    static IEnumerable<TestCaseData> RaceCases()
    {
        foreach (var fullMode in Enum.GetValues<QueueFullMode>())
        {
            yield return new TestCaseData(fullMode, 1);
            yield return new TestCaseData(fullMode, 64);
        }
    }

    [TestCaseSource(nameof(RaceCases))]
    public void EmitRacingDisposeFromFourThreadsHandlesOrReportsEveryEventExactlyOnce(QueueFullMode fullMode, int capacity)
    {
        const int producers = 4;
        var eventsPerProducer = TestSizes.Pick(1000, 5000);
        var rounds = TestSizes.Pick(20, 100);
        for (var round = 0; round < rounds; round++)
        {
            var failures = new CollectingFailureListener();
            var queue = new LogEventQueue(capacity, fullMode);
            var collecting = new CollectingSink();
            var sink = new QueueSink(queue, new Listener(queue, collecting).Start());
            sink.SetFailureListener(failures);
            using var go = new ManualResetEventSlim();
            var emitted = 0;

            var producing = Enumerable.Range(0, producers).Select(p => Task.Factory.StartNew(() =>
            {
                go.Wait();
                for (var i = 0; i < eventsPerProducer; i++)
                {
                    sink.Emit(Some.Event(i, producer: p));
                    Interlocked.Increment(ref emitted);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

            // Dispose at a different point of the run each round, from barely started to nearly done.
            go.Set();
            var disposeAfter = producers * eventsPerProducer * round / rounds;
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref emitted) >= disposeAfter, Timeouts.Signal), Is.True);
            var disposing = Task.Run(sink.Dispose);

            Assert.That(Task.WaitAll(producing, Timeouts.Signal), Is.True, $"producers deadlocked in round {round}");
            Assert.That(disposing.Wait(Timeouts.Signal), Is.True, $"dispose deadlocked in round {round}");
            var accounted = collecting.Events.Concat(failures.FailedEvents)
                .Select(e => (Some.ProducerOf(e), Some.SequenceOf(e)))
                .Order();
            var expected = Enumerable.Range(0, producers)
                .SelectMany(p => Enumerable.Range(0, eventsPerProducer).Select(i => (p, i)));
            Assert.That(accounted, Is.EqualTo(expected), $"round {round}");
        }
    }

    [Test]
    public void ThousandsOfStartStopCyclesLeaveNoThreadBehind()
    {
        var cycles = TestSizes.Pick(1000, 20000);
        var queue = new LogEventQueue(4);
        var listenerThreads = new List<Thread>();
        var listener = new Listener(queue, new DelegatingSink(_ => listenerThreads.Add(Thread.CurrentThread)));
        var threadsBefore = Process.GetCurrentProcess().Threads.Count;

        for (var cycle = 0; cycle < cycles; cycle++)
        {
            listener.Start();
            queue.Enqueue(Some.Event(cycle), CancellationToken.None);
            Assert.That(listener.Stop(Timeouts.Signal), Is.True);
        }

        // Each run had a thread of its own, and every one of them has ended.
        Assert.That(listener.IsRunning, Is.False);
        Assert.That(listenerThreads, Has.Count.EqualTo(cycles));
        Assert.That(listenerThreads.Distinct().Count(), Is.EqualTo(cycles));
        Assert.That(listenerThreads.Where(t => t.IsAlive), Is.Empty);

        // The process agrees, give or take the thread pool growing for other reasons meanwhile.
        Assert.That(Process.GetCurrentProcess().Threads.Count, Is.LessThan(threadsBefore + 20));
    }

    [Test]
    public void StopCalledFromASinkReturnsFalseAndTheListenerStillDrainsWhatCameBefore()
    {
        var queue = new LogEventQueue();
        using var returned = new ManualResetEventSlim();
        var results = new List<bool>();
        var collecting = new CollectingSink();
        Listener? listener = null;
        listener = new Listener(queue, collecting, new DelegatingSink(e =>
        {
            if (Some.SequenceOf(e) != 5) return;
            // The void overload must return too, rather than wait for a thread that is waiting for it.
            listener!.Stop();
            results.Add(listener.Stop(Timeouts.Signal));
            results.Add(listener.Stop(TimeSpan.Zero));
            returned.Set();
        }));
        for (var i = 0; i < 10; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);

        listener.Start();

        Assert.That(returned.Wait(Timeouts.Signal), Is.True);
        Assert.That(results, Is.EqualTo(new[] { false, false }));
        Assert.That(listener.Stop(Timeouts.Signal), Is.True);
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void DisposingTheSinkFromInsideAWrappedSinkReturnsAndTheListenerStillDrainsEveryEvent()
    {
        const int events = 20;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(64);
        using var returned = new ManualResetEventSlim();
        var collecting = new CollectingSink();
        QueueSink? sink = null;
        var listener = new Listener(queue, collecting, new DelegatingSink(e =>
        {
            if (Some.SequenceOf(e) != 5) return;
            sink!.Dispose();
            returned.Set();
        }));
        sink = new QueueSink(queue, listener);
        sink.SetFailureListener(failures);
        for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));

        listener.Start();

        Assert.That(returned.Wait(Timeouts.Signal), Is.True);
        Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Timeouts.Signal), Is.True);
        // Every event was enqueued before the sentinel that disposal sent, so the listener writes them all, then
        // disposes the sinks itself.
        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, events)));
        Assert.That(failures.Failures, Is.Empty);
        Assert.That(collecting.DisposeCount, Is.EqualTo(1));
    }
}
