using System.Diagnostics;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Ring;

/// <summary>
/// The wake-up policy: producers logging at an ordinary rate leave a napping listener alone, and a listener that
/// has slept through a lull is woken by the first event after it. The lull is time without work: time the listener
/// spends writing to a slow sink is not part of it.
/// </summary>
public class ListenerParkingTests
{
    [Test]
    public void ProducersAtAnOrdinaryRateDoNotWakeTheListenerForEachEvent()
    {
        const int events = 500;
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();
        var producer = new QueueSink(queue);

        // One event every 200 µs, 5,000 a second: the listener empties the queue between events and naps.
        var interval = Stopwatch.Frequency / 5_000;
        var next = Stopwatch.GetTimestamp();
        for (var i = 0; i < events; i++)
        {
            while (Stopwatch.GetTimestamp() < next) Thread.SpinWait(10);
            next += interval;
            producer.Emit(Some.Event(i));
        }

        Assert.That(sink.WaitFor(events, Timeouts.Signal), Is.True);

        // The first event may find the listener asleep, and a producer descheduled for 20 ms on a busy machine lets
        // it fall asleep again; a producer that woke it for every event would count about 500.
        Assert.That(queue.ListenerWakeUps, Is.LessThan(events / 10));
    }

    [Test]
    public void AListenerAsleepAfterALullIsWokenByTheNextEvent()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();
        var producer = new QueueSink(queue);
        producer.Emit(Some.Event(0));
        Assert.That(sink.WaitFor(1, Timeouts.Signal), Is.True);

        // Wait, by the listener's own flag, until it has gone from napping to sleeping.
        Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref queue.ListenerParked) == ListenerParking.Sleeping, Timeouts.Signal),
            Is.True);
        var before = queue.ListenerWakeUps;

        producer.Emit(Some.Event(1));

        Assert.That(sink.WaitFor(2, Timeouts.Signal), Is.True);
        Assert.That(queue.ListenerWakeUps, Is.EqualTo(before + 1));
    }

    [Test]
    public void AFlushAndAStopEachWakeASleepingListenerRatherThanWaitForItsTimeout()
    {
        var queue = new LogEventQueue();
        var sink = new CollectingSink();
        using var listener = new Listener(queue, sink).Start();

        Assert.That(WakesTheSleepingListener(queue, () => listener.Flush(Timeouts.Signal), () => { }), Is.True,
            "the flush did not wake the listener");
        Assert.That(WakesTheSleepingListener(queue, () => listener.Stop(Timeouts.Signal), () => listener.Start()), Is.True,
            "the stop did not wake the listener");
    }

    /// <summary>
    /// Whether <paramref name="act"/>, done while the listener sleeps, wakes it. A sleeping listener also wakes by
    /// itself every 100 ms, for a moment: a marker that lands in that moment finds it awake and needs no wake-up, so
    /// the act is tried up to three times, <paramref name="undo"/> between tries.
    /// </summary>
    static bool WakesTheSleepingListener(LogEventQueue queue, Func<bool> act, Action undo)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (attempt > 0) undo();
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref queue.ListenerParked) == ListenerParking.Sleeping, Timeouts.Signal),
                Is.True);
            var before = queue.ListenerWakeUps;
            Assert.That(act(), Is.True);
            if (queue.ListenerWakeUps == before + 1) return true;
        }

        return false;
    }

    [Test]
    public void AListenerJustDoneWithASinkSlowerThanTheSleepDelayNapsAndTheNextEventDoesNotWakeIt()
    {
        const int events = 8;
        var queue = new LogEventQueue();

        // Each event keeps the listener busy for longer than the 20 ms without work after which it sleeps.
        var sink = new SlowSink(TimeSpan.FromMilliseconds(30));
        using var listener = new Listener(queue, sink).Start();
        var producer = new QueueSink(queue);

        for (var i = 0; i < events; i++)
        {
            producer.Emit(Some.Event(i));
            Assert.That(sink.WaitFor(i + 1, Timeouts.Signal), Is.True);

            // The next event comes as soon as the listener has parked again, far less than 20 ms after its work.
            Assert.That(SpinWait.SpinUntil(() => Volatile.Read(ref queue.ListenerParked) != ListenerParking.Awake, Timeouts.Signal),
                Is.True);
        }

        // A listener that went to sleep as soon as the slow sink returned would be woken by every event but the first.
        Assert.That(queue.ListenerWakeUps, Is.LessThan(events / 2));
    }
}
