using System.Diagnostics;
using System.Reflection;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Races and misuse at the edges of the lifecycle: disposal racing a stopped or stopping listener, user queues that
/// miscount, producers racing for the last slot of a listener never started, interrupts on the drop path, flushes
/// from the listener thread. Each test states a promise and tries to break it.
/// </summary>
public class RaceAndMisuseTests
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Test]
    public void DisposingAListenerStillStoppingDrainsTheEventsQueuedAfterItsStop()
    {
        var gated = new GatedSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(100, QueueFullMode.Block), gated, Bound);
        listener.Start();

        Task? disposing = null;
        try
        {
            sink.Emit(Some.Event(0));
            Assert.That(gated.WaitUntilEntered(Bound), Is.True);

            // The stop times out: the listener goes on draining towards the stop's sentinel.
            Assert.That(listener.Stop(TimeSpan.FromMilliseconds(50)), Is.False);
            sink.Emit(Some.Event(1));

            disposing = Task.Run(sink.Dispose);
            Assert.That(SpinWait.SpinUntil(() => IsDisposed(listener), Bound), Is.True, "disposal did not begin");
        }
        finally
        {
            gated.Open();
        }

        Assert.That(disposing.Wait(TimeSpan.FromSeconds(8)), Is.True, "disposal did not return");
        Assert.Multiple(() =>
        {
            Assert.That(gated.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1 }), "event 1 was not drained");
            Assert.That(failures.Failures.Select(f => f.Message), Is.Empty);
        });
    }

    [Test]
    public void AProducerRacingTheDisposalOfAStoppedListenerNeitherReclaimsWhatTheFinalRunDrainsNorItsSentinel()
    {
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new DisposalRacingQueue(new LogEventQueue(100, QueueFullMode.Block)), collecting, TimeSpan.FromSeconds(2));
        listener.Start();
        Assert.That(listener.Stop(Bound), Is.True);

        // Queued while the listener is stopped: disposal drains them (a final run is started).
        for (var i = 0; i < 5; i++) sink.Emit(Some.Event(i));

        var racer = Some.Event(99);
        queue.Racer = racer;
        var racing = BoundedCall.Run(() => sink.Emit(racer), TimeSpan.Zero);
        Assert.That(queue.WaitUntilRacerWaits(Bound), Is.True);

        var clock = Stopwatch.StartNew();
        var disposal = BoundedCall.Run(sink.Dispose, TimeSpan.FromSeconds(8));
        var took = clock.Elapsed;
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Message} [{string.Join(",", f.Events.Select(Some.SequenceOf))}]")));

        Assert.That(disposal.Completed, Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(queue.ReclaimEntered, Is.False, "the racing producer reclaimed what the final run was to drain");
            Assert.That(collecting.Events.Concat(failures.FailedEvents).Count(e => ReferenceEquals(e, racer)), Is.EqualTo(1),
                "the racing event was not accounted for exactly once");
            Assert.That(collecting.Events.Select(Some.SequenceOf).Where(s => s < 5), Is.EqualTo(Enumerable.Range(0, 5)),
                "events queued while the listener was stopped were not drained");
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(1.5)), "the final run never reached its sentinel");
        });
    }

    [Test]
    public void AUserQueueCountingOneEventTooManyDoesNotStopTheListener()
    {
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new OvercountingQueue(new LogEventQueue(100, QueueFullMode.Block)), collecting, Bound);
        listener.Start();

        try
        {
            sink.Emit(Some.Event(0));
            Assert.That(collecting.WaitFor(1, Bound), Is.True);
            sink.Emit(Some.Event(1));

            Assert.Multiple(() =>
            {
                Assert.That(collecting.WaitFor(2, TimeSpan.FromSeconds(2)), Is.True, "the event after the bad count was not written");
                Assert.That(listener.IsRunning, Is.True, "the listener thread ended");
                Assert.That(failures.Failures, Is.Not.Empty, "the bad count was not reported");
            });
        }
        finally
        {
            BoundedCall.Run(sink.Dispose, Bound);
        }
    }

    [Test]
    public void ProducersRacingForTheLastSlotOfANeverStartedListenerAreNotParkedForEver()
    {
        var clock = Stopwatch.StartNew();
        var attempts = 0;
        while (clock.Elapsed < TimeSpan.FromMilliseconds(TestSizes.Pick(1500, 10_000)))
        {
            attempts++;
            var queue = new LogEventQueue(1, QueueFullMode.Block);
            var listener = new Listener(queue, new CollectingSink());
            var sink = new QueueSink(queue, listener, TimeSpan.FromSeconds(1));
            sink.SetFailureListener(new CollectingFailureListener());

            var go = 0;
            var ready = 0;
            var threads = Enumerable.Range(0, 2).Select(p => new Thread(() =>
            {
                Interlocked.Increment(ref ready);
                while (Volatile.Read(ref go) == 0) Thread.SpinWait(1);
                sink.Emit(Some.Event(p));
            })
            {
                IsBackground = true,
            }).ToList();
            threads.ForEach(t => t.Start());
            SpinWait.SpinUntil(() => Volatile.Read(ref ready) == 2, Bound);
            Volatile.Write(ref go, 1);

            var allDone = threads.All(t => t.Join(TimeSpan.FromMilliseconds(500)));
            if (!allDone)
            {
                var stillParked = !threads.All(t => t.Join(TimeSpan.FromSeconds(1)));
                BoundedCall.Run(sink.Dispose, Bound);
                Assert.That(stillParked, Is.False,
                    $"attempt {attempts}: a producer stayed parked on a full queue whose listener was never started, and nothing started it");
            }

            BoundedCall.Run(sink.Dispose, Bound);
        }

        TestContext.Out.WriteLine($"{attempts} attempts, none stuck");
    }

    [Test]
    public void AnInterruptedDropDoesNotLeaveLaterDropsUnreported()
    {
        var timerQueueType = typeof(Timer).Assembly.GetType("System.Threading.TimerQueue");
        var timerQueues = timerQueueType?
            .GetProperty("Instances", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?
            .GetValue(null) as Array;
        var sharedLock = timerQueueType?.GetProperty("SharedLock", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        // Staged through the runtime's own timer locks: should a runtime keep them some other way, the test fails
        // rather than pass without the race, and must be staged anew.
        if (timerQueues is null || sharedLock is null) Assert.Fail("this runtime's timer queue locks are not reachable: the race cannot be staged");
        var timerLocks = timerQueues!.Cast<object>().Select(q => (Lock)sharedLock!.GetValue(q)!).ToList();

        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(1, QueueFullMode.DropIncoming);
        var listener = new Listener(queue, new CollectingSink());
        var sink = new QueueSink(queue, listener, Bound);
        sink.SetFailureListener(failures);

        // The listener is never started: the queue holds event 0, and the next events are dropped.
        sink.Emit(Some.Event(0));

        // Another thread holds the timer queues' locks for a moment (timers are busy elsewhere in the process), while a
        // producer with an interrupt pending drops an event, which arms the drop reporter's timer.
        using var locked = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var holder = new Thread(() =>
        {
            foreach (var timerLock in timerLocks) timerLock.Enter();
            locked.Set();
            release.Wait(Bound);
            foreach (var timerLock in timerLocks) timerLock.Exit();
        })
        {
            IsBackground = true,
        };
        holder.Start();
        Assert.That(locked.Wait(Bound), Is.True);

        var producer = new Thread(() =>
        {
            Thread.CurrentThread.Interrupt();
            sink.Emit(Some.Event(1));
            try
            {
                Thread.Sleep(0);
            }
            catch (ThreadInterruptedException)
            {
            }
        })
        {
            IsBackground = true,
        };
        producer.Start();
        var producerDone = producer.Join(TimeSpan.FromMilliseconds(500));
        release.Set();
        Assert.That(holder.Join(Bound), Is.True);
        Assert.That(producer.Join(Bound), Is.True);
        Assert.That(producerDone, Is.False, "the race was not staged: the producer did not wait for the timer queues' locks");

        // A later drop, without any interrupt, must be reported by the timer some 100 ms later.
        sink.Emit(Some.Event(2));
        var reported = SpinWait.SpinUntil(() => failures.FailedEvents.Any(e => Some.SequenceOf(e) == 2), TimeSpan.FromSeconds(2));
        TestContext.Out.WriteLine(string.Join(Environment.NewLine, failures.Failures.Select(f => $"{f.Message} [{string.Join(",", f.Events.Select(Some.SequenceOf))}]")));
        BoundedCall.Run(sink.Dispose, Bound);

        Assert.Multiple(() =>
        {
            Assert.That(reported, Is.True, "a drop was not reported within 2 s");
            Assert.That(failures.FailedEvents.Count(e => Some.SequenceOf(e) == 1), Is.EqualTo(1), "event 1 was reported more than once");
        });
    }

    [Test]
    public void FlushingASinkWithoutAListenerFromTheListenerThreadReturnsAtOnce()
    {
        var queue = new LogEventQueue(100, QueueFullMode.Block);
        var producer = new QueueSink(queue);
        TimeSpan? took = null;
        var callback = new CallbackSink(e =>
        {
            if (Some.SequenceOf(e) != 1) return;
            var clock = Stopwatch.StartNew();
            producer.Flush(TimeSpan.FromSeconds(2));
            took = clock.Elapsed;
        });
        var listener = new Listener(queue, callback).Start();

        try
        {
            producer.Emit(Some.Event(1));
            Assert.That(callback.WaitFor(1, Bound), Is.True);
            Assert.That(SpinWait.SpinUntil(() => took is not null, Bound), Is.True);
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(1)), "the flush on the listener thread waited for the listener itself");
        }
        finally
        {
            BoundedCall.Run(listener.Dispose, Bound);
        }
    }

    [Test]
    public void EmitDoesNotThrowWhenADropModeProducerRacingDisposalIsInterruptedWaitingForTheDropReport()
    {
        var disposedField = typeof(QueueSink).GetField("_disposed", BindingFlags.Instance | BindingFlags.NonPublic)!;
        using var dropReportEntered = new ManualResetEventSlim(false);
        using var releaseDropReport = new ManualResetEventSlim(false);
        QueueSink? sink = null;
        Task? disposing = null;
        var failures = new HookedFailureListener(message =>
        {
            if (message.StartsWith("the queue is full; dropped", StringComparison.Ordinal) && !releaseDropReport.IsSet)
            {
                // The timer's report of the first drop is slow: it holds the drop reporter's lock meanwhile.
                dropReportEntered.Set();
                releaseDropReport.Wait(Bound);
            }
            else if (message.Contains("never started", StringComparison.Ordinal))
            {
                // The producer is between its two looks at disposal: dispose now.
                disposing = Task.Run(() => sink!.Dispose());
                SpinWait.SpinUntil(() => (int)disposedField.GetValue(sink)! != 0, Bound);
            }
        });
        var queue = new LogEventQueue(1, QueueFullMode.DropIncoming);
        var listener = new Listener(queue, new CollectingSink());
        sink = new QueueSink(queue, listener, Bound);
        sink.SetFailureListener(failures);

        Exception? thrown = null;
        try
        {
            // The listener is never started (in drop mode the sink leaves it so): event 0 fills the queue.
            sink.Emit(Some.Event(0));
            // Event 1 is dropped straight at the queue (the sink's look at the idle listener is kept for event 2).
            queue.Enqueue(Some.Event(1), CancellationToken.None);
            Assert.That(dropReportEntered.Wait(Bound), Is.True, "the drop report did not begin");

            var producer = new Thread(() =>
            {
                try
                {
                    sink.Emit(Some.Event(2));
                }
                catch (Exception ex)
                {
                    thrown = ex;
                }

                try
                {
                    Thread.Sleep(0);
                }
                catch (ThreadInterruptedException)
                {
                }
            })
            {
                IsBackground = true,
            };
            producer.Start();

            // The drop-mode producer, racing disposal, waits for the drop reporter's lock; interrupt it there.
            var parked = SpinWait.SpinUntil(() => disposing is not null && (producer.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0, Bound);
            Assert.That(parked, Is.True, "the race was not staged: the drop-mode producer never waited for the drop reporter");
            producer.Interrupt();

            // The interrupt does not cut the wait for the report short (the event must be reported before disposal
            // returns); once the report is over, the producer returns, without an exception.
            releaseDropReport.Set();
            Assert.That(producer.Join(Bound), Is.True, "the producer did not return");
        }
        finally
        {
            releaseDropReport.Set();
            if (disposing is not null) Assert.That(disposing.Wait(Bound), Is.True);
        }

        Assert.That(disposing, Is.Not.Null, "the probe did not stage the race");
        Assert.That(thrown, Is.Null, "Emit threw");
    }

    [Test]
    public void AListenerRestartedAfterItsQueueFailedDuringAStopKeepsRunning()
    {
        var collecting = new CollectingSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new DequeueFailingQueue(new LogEventQueue(100, QueueFullMode.Block)), collecting, Bound);
        listener.Start();

        try
        {
            // The queue fails for good while a stop is under way: the listener gives up before reaching the sentinel.
            queue.Failing = true;

            // Staged only once the listener has met the failure: a dequeue already under way as the queue began to
            // fail could otherwise still hand over the sentinel.
            Assert.That(SpinWait.SpinUntil(() => failures.Failures.Count > 0, Bound), Is.True, "the listener did not meet the failure");
            Assert.That(listener.Stop(TimeSpan.FromMilliseconds(10)), Is.False);
            Assert.That(SpinWait.SpinUntil(() => !listener.IsRunning, Bound), Is.True, "the listener did not give up");

            // The queue recovers and the application starts the listener again.
            queue.Failing = false;
            listener.Start();
            sink.Emit(Some.Event(1));

            Assert.Multiple(() =>
            {
                Assert.That(collecting.WaitFor(1, TimeSpan.FromSeconds(2)), Is.True, "the event after the restart was not written");
                Assert.That(listener.IsRunning, Is.True, "the restarted listener ended at the old run's sentinel");
            });
        }
        finally
        {
            BoundedCall.Run(sink.Dispose, Bound);
        }
    }

    /// <summary>Whether disposal has marked the listener disposed: Start refuses with that before anything else.</summary>
    static bool IsDisposed(Listener listener)
    {
        try
        {
            listener.Start();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
