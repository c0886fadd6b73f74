using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue whose <see cref="Count"/> always throws; everything else works.
/// </summary>
class CountThrowingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    public Exception Failure { get; } = new InvalidOperationException("The queue failed to count, as it was told to.");

    public override int Count => throw Failure;
}
