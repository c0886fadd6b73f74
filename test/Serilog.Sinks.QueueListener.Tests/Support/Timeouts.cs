namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// How long a test waits for a signal before it fails. Generous: a loaded CI machine is slow, and a passing test
/// never waits this long.
/// </summary>
static class Timeouts
{
    public static readonly TimeSpan Signal = TimeSpan.FromSeconds(30);
}
