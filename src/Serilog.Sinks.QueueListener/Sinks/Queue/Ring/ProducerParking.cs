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
    /// Spin briefly, then park until the queue has room.
    /// </summary>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled
    /// first.</exception>
    public void WaitForRoom(CancellationToken cancellationToken)
    {
        if (BriefSpin.Until(_queue, static queue => queue.HasRoom())) return;

        cancellationToken.ThrowIfCancellationRequested();
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((ProducerParking)state!).WakeProducers(), this)
            : default;

        lock (_roomSync)
        {
            Interlocked.Increment(ref _queue.WaitingProducers);
            try
            {
                while (!_queue.HasRoom())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Monitor.Wait(_roomSync);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _queue.WaitingProducers);
            }
        }
    }

    public void WakeProducers()
    {
        lock (_roomSync)
        {
            Monitor.PulseAll(_roomSync);
        }
    }
}
