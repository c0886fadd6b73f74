namespace Serilog.Sinks.Queue;

/// <summary>
/// Waits for a flush marker to be reached, giving up when the timeout passes or when the listener thread ends
/// without reaching it (the marker stood behind the stop sentinel), so that a flush racing a stop does not wait for
/// its whole timeout.
/// </summary>
static class MarkerWaiting
{
    /// <param name="reached">The marker's completion: <see langword="true"/> once the listener has reached it and
    /// flushed the sinks.</param>
    /// <param name="exited">Completes when the listener thread ends; <see langword="null"/> when it is unknown (another
    /// party runs the listener).</param>
    /// <param name="timeout">How long to wait, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    public static bool Wait(Task<bool> reached, Task? exited, TimeSpan timeout)
    {
        if (!reached.IsCompleted)
        {
            // The listener completes the marker before it can end, so once exited is complete, reached is final.
            if (exited is null) reached.Wait(timeout);
            else Task.WaitAny([reached, exited], timeout);
        }

        return Succeeded(reached);
    }

    /// <summary>As <see cref="Wait"/>, without blocking a thread.</summary>
    /// <param name="reached">As for <see cref="Wait"/>.</param>
    /// <param name="exited">As for <see cref="Wait"/>.</param>
    /// <param name="timeout">As for <see cref="Wait"/>.</param>
    /// <param name="cancellationToken">Stops the wait; the flush itself still happens when the listener gets
    /// there.</param>
    /// <exception cref="OperationCanceledException">When <paramref name="cancellationToken"/> is cancelled before the
    /// marker is reached.</exception>
    public static async Task<bool> WaitAsync(Task<bool> reached, Task? exited, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!reached.IsCompleted)
        {
            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, delayCancellation.Token);
            await (exited is null ? Task.WhenAny(reached, delay) : Task.WhenAny(reached, exited, delay)).ConfigureAwait(false);
            delayCancellation.Cancel();
        }

        if (!reached.IsCompleted) cancellationToken.ThrowIfCancellationRequested();
        return Succeeded(reached);
    }

    static bool Succeeded(Task<bool> reached) => reached.Status == TaskStatus.RanToCompletion && reached.Result;
}
