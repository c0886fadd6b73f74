namespace Serilog.Sinks.Queue;

/// <summary>
/// The spin a waiter of <see cref="LogEventQueue"/> tries before it parks: under load what it waits for is usually
/// a few hundred nanoseconds away, and parking costs a system call on each side.
/// </summary>
static class BriefSpin
{
    /// <summary>
    /// Spin until <paramref name="condition"/> holds, or until the next spin would yield the core.
    /// </summary>
    /// <returns><see langword="true"/> when the condition held; <see langword="false"/> when the spin ran
    /// out.</returns>
    public static bool Until<TState>(TState state, Func<TState, bool> condition)
    {
        var spinner = new SpinWait();
        while (!spinner.NextSpinWillYield)
        {
            if (condition(state)) return true;
            spinner.SpinOnce();
        }

        return false;
    }
}
