namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Waits for a condition that nothing signals (a file another process writes, the state of Redis), by looking
/// again every short interval, within a deadline.</summary>
static class Poll
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(Interval);
        }

        return true;
    }
}
