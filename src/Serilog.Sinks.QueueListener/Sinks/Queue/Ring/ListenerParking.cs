using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Where the listener of a <see cref="LogEventQueue"/> waits for work once the queue is empty: a spin, then a
/// while of yielding, then a park; and how a producer wakes it. Only the slow path lives here: the queue checks
/// <see cref="QueuePositions.ListenerParked"/> itself before calling <see cref="WakeListener"/>.
/// </summary>
sealed class ListenerParking
{
    /// <summary>How long the listener keeps yielding and watching for work, after its spin, before it parks: 50 µs.</summary>
    static readonly long YieldBudgetTicks = Stopwatch.Frequency / 20_000;

    readonly LogEventQueue _queue;

    /// <summary>
    /// Monitor the listener parks on. It sets <see cref="QueuePositions.ListenerParked"/> and checks for work under
    /// it, and a producer pulses under it, so a wake-up cannot fall between the check and the wait.
    /// </summary>
    readonly object _listenerSync = new();

    /// <param name="queue">The queue whose work the listener waits for.</param>
    public ListenerParking(LogEventQueue queue)
    {
        _queue = queue;
    }

    /// <inheritdoc cref="ILogEventQueue.WaitToDequeue"/>
    public bool WaitForWork(TimeSpan timeout)
    {
        // Spin briefly first: under load the next event is usually a few hundred nanoseconds away, and parking costs
        // a system call on each side.
        if (BriefSpin.Until(_queue, static queue => queue.HasPublishedWork())) return true;

        // Then yield the core, still watching, for a while longer. The spin above lasts a few microseconds; a producer
        // that spends longer than that on each call (message template binding, a collection) would otherwise find
        // the listener parked on almost every event and pay a wake-up (a lock and a system call) each time, which
        // slows it further: a loop that feeds itself. Yielding rather than spinning leaves the core to any other
        // runnable thread, the producers first. The budget is spent once per burst, so an idle listener costs
        // nothing.
        var yieldUntil = Stopwatch.GetTimestamp() + (timeout == Timeout.InfiniteTimeSpan
            ? YieldBudgetTicks
            : Math.Min(YieldBudgetTicks, (long)(timeout.TotalSeconds * Stopwatch.Frequency)));
        while (Stopwatch.GetTimestamp() < yieldUntil)
        {
            if (_queue.HasPublishedWork()) return true;
            Thread.Yield();
        }

        // The listener thread is ours; an interrupt that reaches it (from a sink, say) only cuts the park short.
        var interrupted = InterruptDeferral.Enter(_listenerSync);
        try
        {
            Interlocked.Exchange(ref _queue.ListenerParked, 1);

            // Read after the full fence above. A producer reserves its position (a compare-and-swap, also a full
            // fence) before it reads ListenerParked, so either it sees the flag and wakes us, or we see its
            // reservation here. The reservation, not the publication, is what we must look at: the publication is a
            // plain store that may still sit in the producer's store buffer.
            if (!interrupted && !_queue.HasReservedWork()) Monitor.Wait(_listenerSync, timeout);
        }
        catch (ThreadInterruptedException)
        {
            // Monitor.Wait holds the monitor again when it throws.
        }
        finally
        {
            // A benign race: a producer that saw the flag before this write pulses a monitor nobody waits on.
            Volatile.Write(ref _queue.ListenerParked, 0);
            Monitor.Exit(_listenerSync);
        }

        return _queue.HasReservedWork();
    }

    /// <summary>
    /// Wake the listener if it is parked. Never cut short by an interrupt: a producer that cleared the parked flag
    /// must pulse, or the listener would sleep on with nobody left to wake it.
    /// </summary>
    public void WakeListener()
    {
        if (Interlocked.Exchange(ref _queue.ListenerParked, 0) == 0) return;

        InterruptDeferral.Pulse(_listenerSync, all: false);
    }
}
