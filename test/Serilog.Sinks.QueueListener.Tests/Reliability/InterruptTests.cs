using System.Collections.Concurrent;
using Stopwatch = System.Diagnostics.Stopwatch;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// <see cref="Thread.Interrupt"/> on application threads that log: an interrupt belongs to the application, not to
/// the queue. A producer interrupted while it waits for room still enqueues its event, and the interrupt still reaches
/// it at its own next wait; the queue is never left jammed.
/// </summary>
public class InterruptTests
{
    [Test]
    public void AnInterruptedProducerWaitingForRoomStillEnqueuesItsEventAndKeepsTheInterrupt()
    {
        var gated = new GatedSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(1, QueueFullMode.Block), gated, null);
        listener.Start();

        var emittingThird = 0;
        bool? interruptKept = null;
        Exception? producerFailure = null;
        var producer = new Thread(() =>
        {
            try
            {
                sink.Emit(Some.Event(1));
                sink.Emit(Some.Event(2));
                Volatile.Write(ref emittingThird, 1);
                sink.Emit(Some.Event(3));

                // A pending interrupt throws at once; without one the wait runs out (ManualResetEventSlim.Wait(0)
                // would not look at the interrupt at all).
                try
                {
                    using var never = new ManualResetEventSlim();
                    never.Wait(TimeSpan.FromSeconds(2));
                    interruptKept = false;
                }
                catch (ThreadInterruptedException)
                {
                    interruptKept = true;
                }
            }
            catch (Exception ex)
            {
                producerFailure = ex;
            }
        })
        {
            IsBackground = true,
        };
        producer.Start();

        try
        {
            // The listener holds event 1 in the gate, event 2 fills the queue, and event 3 parks for room.
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref emittingThird) == 1 &&
                (producer.ThreadState & ThreadState.WaitSleepJoin) != 0, Timeouts.Signal), Is.True,
                "the producer did not park for room");
            producer.Interrupt();
        }
        finally
        {
            gated.Open();
        }

        Assert.That(producer.Join(Timeouts.Signal), Is.True, "the producer did not finish");
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(producerFailure, Is.Null);
        Assert.That(gated.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(failures.Failures, Is.Empty);
        Assert.That(interruptKept, Is.True, "the interrupt did not reach the producer's next wait");
    }

    [Test]
    public void InterruptsRainingOnProducersInBlockModeNeitherLoseNorJamAnEvent()
    {
        const int producers = 4;
        const int eventsPerProducer = 20000;
        var checker = new OrderCheckingSink(producers);
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(2, QueueFullMode.Block), checker, null);
        listener.Start();

        var (producerFailures, allFinished) = ProduceUnderInterrupts(producers,
            p =>
            {
                for (var i = 0; i < eventsPerProducer; i++) sink.Emit(Some.Event(i, producer: p));
            });

        Assert.That(allFinished, Is.True, "the producers did not finish within 30 s");
        Assert.That(sink.Flush(TimeSpan.FromSeconds(10)), Is.True, "the queue is jammed");
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(producerFailures, Is.Empty);
        Assert.That(failures.Failures, Is.Empty);
        Assert.That(checker.Violations, Is.Empty);
        Assert.That(checker.DeliveredPerProducer, Is.All.EqualTo(eventsPerProducer));
    }

    [TestCase(QueueFullMode.Block)]
    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void InterruptsRainingOnProducersLeaveEveryEventDeliveredOrReportedExactlyOnce(QueueFullMode fullMode)
    {
        const int producers = 4;
        // Enough for the drop reports to flood (more than DropReporter.HeldLimit held within its delay), where the
        // producers themselves call the failure listener; Block mode parks instead, and is slower per event.
        var eventsPerProducer = fullMode == QueueFullMode.Block ? TestSizes.Pick(25_000, 250_000) : TestSizes.Pick(250_000, 1_000_000);
        var reported = new IdentityRecorder();
        var delivered = new IdentityRecorder();
        var queue = new LogEventQueue(1, fullMode);
        var listener = new Listener(queue, delivered);
        var sink = new QueueSink(queue, listener, null);
        sink.SetFailureListener(reported);
        listener.Start();

        var (producerFailures, allFinished) = ProduceUnderInterrupts(producers,
            p =>
            {
                for (var i = 0; i < eventsPerProducer; i++) sink.Emit(Some.Event(i, producer: p));
            });

        Assert.That(allFinished, Is.True, "the producers did not finish within 30 s");
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(10));

        Assert.That(disposal.Completed, Is.True, "dispose did not return");
        Assert.That(producerFailures, Is.Empty);
        var accounted = delivered.Identities.Concat(reported.Identities).ToList();
        var logged = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, eventsPerProducer).Select(i => (p, i)));
        Assert.Multiple(() =>
        {
            Assert.That(accounted.GroupBy(e => e).Count(g => g.Count() > 1), Is.Zero, "events delivered or reported more than once");
            Assert.That(logged.Except(accounted).Count(), Is.Zero, "events neither delivered nor reported");
        });
    }

    /// <summary>
    /// Run <paramref name="producers"/> threads through <paramref name="produce"/> while another thread interrupts
    /// them at random until they finish; a producer clears the interrupt still pending at its end.
    /// </summary>
    static (IReadOnlyCollection<Exception> Failures, bool AllFinished) ProduceUnderInterrupts(int producers, Action<int> produce)
    {
        var finished = 0;
        var producerFailures = new ConcurrentQueue<Exception>();
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            try
            {
                produce(p);

                // An interrupt that arrived after the last wait is still pending; clear it. Nothing this thread does
                // from here on may block, or a later interrupt would throw there.
                try
                {
                    Thread.Sleep(0);
                }
                catch (ThreadInterruptedException)
                {
                }
            }
            catch (Exception ex)
            {
                producerFailures.Enqueue(ex);
            }
            finally
            {
                Interlocked.Increment(ref finished);
            }
        })
        {
            IsBackground = true,
            Name = $"Producer {p}",
        }).ToArray();
        foreach (var thread in threads) thread.Start();

        var stopInterrupting = 0;
        var interrupter = new Thread(() =>
        {
            var random = new Random(20240601);
            while (Volatile.Read(ref finished) < producers && Volatile.Read(ref stopInterrupting) == 0)
            {
                threads[random.Next(producers)].Interrupt();
                Thread.Yield();
            }
        })
        {
            IsBackground = true,
            Name = "Interrupter",
        };
        interrupter.Start();

        bool allFinished;
        try
        {
            allFinished = JoinAll(threads, TimeSpan.FromSeconds(30));
        }
        finally
        {
            Volatile.Write(ref stopInterrupting, 1);
        }

        Assert.That(interrupter.Join(Timeouts.Signal), Is.True);
        return (producerFailures, allFinished);
    }

    static bool JoinAll(IEnumerable<Thread> threads, TimeSpan timeout)
    {
        var elapsed = Stopwatch.StartNew();
        foreach (var thread in threads)
        {
            var left = timeout - elapsed.Elapsed;
            if (!thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero)) return false;
        }

        return true;
    }
}
