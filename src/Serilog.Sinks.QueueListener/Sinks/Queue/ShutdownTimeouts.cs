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

    public static TimeSpan Validate(TimeSpan? timeout, string parameterName)
    {
        var value = timeout ?? Timeout.InfiniteTimeSpan;
        if ((value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan) || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameterName, timeout,
                "The shutdown timeout must be from zero to int.MaxValue milliseconds, or null (or Timeout.InfiniteTimeSpan) for no limit.");
        }

        return value;
    }
}
