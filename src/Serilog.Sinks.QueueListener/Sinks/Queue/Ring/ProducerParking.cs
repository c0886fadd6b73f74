using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Where producers of a <see cref="LogEventQueue"/> in <see cref="QueueFullMode.Block"/> mode wait for room, and
/// how the thread that frees room wakes them. Only the slow path lives here: the queue checks
/// <see cref="QueuePositions.WaitingProducers"/> itself before calling <see cref="WakeProducers"/>.
/// </summary>
sealed class ProducerParking
{
    /// <summary>How long producers wait without the queue moving before the stall is reported; the wait goes on
    /// after the report.</summary>
    internal static readonly TimeSpan StallReportDelay = TimeSpan.FromSeconds(2);

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
            while (ParkUntilRoomOrStall(cancellationToken, ref interrupted) is { } stalledAt)
            {
                // Outside the monitor: the failure listener is the application's code.
                _queue.ReportStall(stalledAt);
            }
        }
        finally
        {
            InterruptDeferral.Unregister(registration, ref interrupted);
            InterruptDeferral.Restore(interrupted);
        }
    }

    /// <summary>
    /// Park until the queue has room, or until <see cref="StallReportDelay"/> has passed without the listener taking
    /// anything off it.
    /// </summary>
    /// <returns><see langword="null"/> when there is room; otherwise the dequeue position the queue is stalled
    /// at.</returns>
    long? ParkUntilRoomOrStall(CancellationToken cancellationToken, ref bool interrupted)
    {
        interrupted |= InterruptDeferral.Enter(_roomSync);
        try
        {
            Interlocked.Increment(ref _queue.WaitingProducers);
            var parkedAt = _queue.DequeuePosition;
            var since = Stopwatch.GetTimestamp();
            while (!_queue.HasRoom())
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    // Timed only to notice a stall: the thread that frees room pulses, so a wake-up is never missed.
                    if (Monitor.Wait(_roomSync, StallReportDelay)) continue;
                }
                catch (ThreadInterruptedException)
                {
                    // Monitor.Wait holds the monitor again when it throws; look at the room again.
                    interrupted = true;
                    continue;
                }

                var position = _queue.DequeuePosition;
                if (position != parkedAt)
                {
                    parkedAt = position;
                    since = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetTimestamp() - since >= StallReportDelay.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond)
                {
                    return position;
                }
            }

            return null;
        }
        finally
        {
            Interlocked.Decrement(ref _queue.WaitingProducers);
            Monitor.Exit(_roomSync);
        }
    }

    /// <summary>Wake every parked producer to look at the room again; not cut short by an interrupt.</summary>
    public void WakeProducers() => InterruptDeferral.Pulse(_roomSync, all: true);
}
