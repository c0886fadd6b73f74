namespace Serilog.Sinks.Queue;

/// <summary>
/// A spin for a few microseconds that never sleeps, never parks and cannot be interrupted, unlike
/// <see cref="SpinWait"/>, which falls back to <see cref="Thread.Sleep(int)"/>: what the drop modes use while another
/// thread finishes a two-store step, because a producer in those modes promises the application it never waits.
/// </summary>
struct NonBlockingSpin
{
    /// <summary>How many turns <see cref="TrySpinOnce"/> allows: each doubles the busy wait, from 8 iterations to
    /// about 8,000, some 10 to 30 µs in all on current hardware.</summary>
    const int TurnLimit = 11;

    int _turns;

    /// <summary>
    /// Busy-wait a little longer than the last time.
    /// </summary>
    /// <returns><see langword="false"/> when the budget is spent: the caller gives up instead.</returns>
    public bool TrySpinOnce()
    {
        if (_turns >= TurnLimit) return false;

        Thread.SpinWait(8 << _turns);
        _turns++;
        return true;
    }
}
