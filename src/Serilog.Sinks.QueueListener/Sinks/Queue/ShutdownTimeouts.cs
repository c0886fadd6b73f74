namespace Serilog.Sinks.Queue;

/// <summary>
/// The one rule for timeouts at the public edge: from zero to <see cref="int.MaxValue"/> milliseconds (what
/// <see cref="Thread.Join(TimeSpan)"/> accepts), or infinite; <see langword="null"/> means infinite.
/// </summary>
static class ShutdownTimeouts
{
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
