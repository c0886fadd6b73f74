namespace Serilog.Sinks.Queue;

/// <summary>
/// Where producers of a <see cref="LogEventQueue"/> in <see cref="QueueFullMode.Block"/> mode wait for room, and
/// how the thread that frees room wakes them. Only the slow path lives here: the queue checks
/// <see cref="QueuePositions.WaitingProducers"/> itself before calling <see cref="WakeProducers"/>.
/// </summary>
sealed class ProducerParking
{
    readonly LogEventQueue _queue;

    /// <summary>
    /// Monitor for producers parked in Block mode. <see cref="QueuePositions.WaitingProducers"/> is incremented and
    /// the room checked under it, so a pulse from the thread that frees room cannot be missed.
    /// </summary>
    readonly object _roomSync = new();

    /// <param name="queue">The queue whose room the producers wait for.</param>
    public ProducerParking(LogEventQueue queue)
    {
        _queue = queue;
    }

    /// <summary>
    /// Spin briefly, then park until the queue has room. An interrupt does not end the wait: it is held back and
    /// raised again on return, so that the event is still enqueued and the interrupt still reaches the thread.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled
    /// first; at once, without a spin, when it was cancelled before the call (how a listener thread logging into
    /// its own full queue is told not to wait).</exception>
    public void WaitForRoom(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (BriefSpin.Until(_queue, static queue => queue.HasRoom())) return;

        var interrupted = false;
        var registration = cancellationToken.CanBeCanceled
            ? InterruptDeferral.Register(
                static state => ((ProducerParking)state!).WakeProducers(), this, ref interrupted, cancellationToken)
            : default;
        try
        {
            interrupted |= InterruptDeferral.Enter(_roomSync);
            try
            {
                Interlocked.Increment(ref _queue.WaitingProducers);
                while (!_queue.HasRoom())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        Monitor.Wait(_roomSync);
                    }
                    catch (ThreadInterruptedException)
                    {
                        // Monitor.Wait holds the monitor again when it throws; look at the room again.
                        interrupted = true;
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _queue.WaitingProducers);
                Monitor.Exit(_roomSync);
            }
        }
        finally
        {
            InterruptDeferral.Unregister(registration, ref interrupted);
            InterruptDeferral.Restore(interrupted);
        }
    }

    /// <summary>Wake every parked producer to look at the room again; not cut short by an interrupt.</summary>
    public void WakeProducers() => InterruptDeferral.Pulse(_roomSync, all: true);
}
