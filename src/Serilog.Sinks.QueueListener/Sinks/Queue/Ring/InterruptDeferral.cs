using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Keeps <see cref="Thread.Interrupt"/> from cutting short the few steps of the queue that must finish once begun:
/// waking a parked listener, waking parked producers, adding or taking a marker, holding a dropped event for its
/// report. An interrupt that arrives while
/// such a step waits for a lock is held back and raised again once the step is done, so that it still reaches the
/// thread at its next blocking wait, as if it had arrived a moment later.
/// </summary>
/// <remarks>
/// Why this matters: a producer interrupted between clearing the listener's parked flag and pulsing it would leave
/// the listener asleep with nobody left to wake it, and the listener thread interrupted while handing back a batch
/// would lose the events it had claimed.
/// </remarks>
static class InterruptDeferral
{
    /// <summary>
    /// Enter <paramref name="sync"/>, waiting as long as it takes even when the thread is interrupted meanwhile.
    /// </summary>
    /// <returns><see langword="true"/> when an interrupt was held back; pass it to <see cref="Restore"/> once the
    /// step is done.</returns>
    public static bool Enter(object sync)
    {
        var interrupted = false;
        while (true)
        {
            var taken = false;
            try
            {
                Monitor.Enter(sync, ref taken);
                return interrupted;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
                if (taken) return true;
            }
        }
    }

    /// <summary>
    /// Wake the threads waiting on <paramref name="sync"/>: one, or with <paramref name="all"/> every one. Not cut
    /// short by an interrupt while it waits for the monitor.
    /// </summary>
    public static void Pulse(object sync, bool all)
    {
        var interrupted = Enter(sync);
        try
        {
            if (all) Monitor.PulseAll(sync);
            else Monitor.Pulse(sync);
        }
        finally
        {
            Monitor.Exit(sync);
            Restore(interrupted);
        }
    }

    /// <summary>
    /// <see cref="CancellationToken.Register(Action{object}, object)"/>, not cut short by an interrupt: registering
    /// takes the token's internal lock, whose spin may sleep, so with many producers parking at once an interrupt can
    /// land there. It lands before the callback is added, so trying again is safe.
    /// </summary>
    public static CancellationTokenRegistration Register(Action<object?> callback, object state, ref bool interrupted,
        CancellationToken token)
    {
        while (true)
        {
            try
            {
                return token.Register(callback, state);
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>
    /// Dispose <paramref name="registration"/>, not cut short by an interrupt (see <see cref="Register"/>).
    /// </summary>
    public static void Unregister(CancellationTokenRegistration registration, ref bool interrupted)
    {
        while (true)
        {
            try
            {
                registration.Dispose();
                return;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>
    /// <see cref="ConcurrentQueue{T}.Enqueue"/>, not cut short by an interrupt. The queue is lock-free within a
    /// segment, but it spins with <see cref="SpinWait"/> (whose <see cref="Thread.Sleep(int)"/>(0) throws a pending
    /// interrupt) while another thread is mid-step on the same slot, and takes a lock to add a segment. Both happen
    /// before the item is stored, so an interrupt there leaves the queue as it was, and trying again adds the item
    /// exactly once.
    /// </summary>
    public static void Enqueue<T>(ConcurrentQueue<T> queue, T item, ref bool interrupted)
    {
        while (true)
        {
            try
            {
                queue.Enqueue(item);
                return;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>
    /// <see cref="ConcurrentQueue{T}.TryDequeue"/>, not cut short by an interrupt: as for <see cref="Enqueue{T}"/>,
    /// the spin and the lock where an interrupt can land come before the item is taken, so trying again takes each
    /// item once.
    /// </summary>
    public static bool TryDequeue<T>(ConcurrentQueue<T> queue, [MaybeNullWhen(false)] out T item, ref bool interrupted)
    {
        while (true)
        {
            try
            {
                return queue.TryDequeue(out item);
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>
    /// Raise again an interrupt that was held back: it surfaces at the thread's next blocking wait.
    /// </summary>
    public static void Restore(bool interrupted)
    {
        if (interrupted) Thread.CurrentThread.Interrupt();
    }
}
