namespace Serilog.Sinks.Queue;

/// <summary>
/// The one rule for timeouts at the public edge: from zero to <see cref="int.MaxValue"/> milliseconds (what
/// <see cref="Thread.Join(TimeSpan)"/> accepts), or infinite; <see langword="null"/> means infinite.
/// </summary>
static class ShutdownTimeouts
{
    /// <summary>
    /// How long a drain at process exit waits when the shutdown timeout is unlimited. The runtime waits for
    /// <see cref="AppDomain.ProcessExit"/> handlers without limit, so an unlimited wait on a hung sink would keep the
    /// process from ever exiting; an application that needs longer says so with a finite shutdown timeout.
    /// </summary>
    public static readonly TimeSpan UnlimitedAtProcessExit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The drain timeout at process exit: the shutdown timeout when it is finite, otherwise
    /// <see cref="UnlimitedAtProcessExit"/>.
    /// </summary>
    public static TimeSpan ForProcessExit(TimeSpan shutdownTimeout) =>
        shutdownTimeout == Timeout.InfiniteTimeSpan ? UnlimitedAtProcessExit : shutdownTimeout;

    /// <summary>Check a shutdown timeout, where <see langword="null"/> means no limit.</summary>
    /// <returns>The timeout, <see cref="Timeout.InfiniteTimeSpan"/> for <see langword="null"/>.</returns>
    public static TimeSpan Validate(TimeSpan? timeout, string parameterName)
    {
        var value = timeout ?? Timeout.InfiniteTimeSpan;
        if (!IsInRange(value))
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout,
                "The shutdown timeout must be from zero to int.MaxValue milliseconds, or null (or Timeout.InfiniteTimeSpan) for no limit.");
        }

        return value;
    }

    /// <summary>Check the timeout of a wait (a stop, a flush, a dequeue), which cannot be <see langword="null"/>: its
    /// message names no shutdown and offers no <see langword="null"/>.</summary>
    public static void Validate(TimeSpan timeout, string parameterName)
    {
        if (!IsInRange(timeout))
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout,
                "The timeout must be from zero to int.MaxValue milliseconds, or Timeout.InfiniteTimeSpan for no limit.");
        }
    }

    static bool IsInRange(TimeSpan value) =>
        (value >= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan) && value.TotalMilliseconds <= int.MaxValue;
}
