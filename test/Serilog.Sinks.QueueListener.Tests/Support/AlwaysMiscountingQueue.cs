using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue whose <see cref="TryDequeue"/> takes nothing and returns <c>count</c>, one the batch cannot hold
/// (<c>-1</c>, say), on every call; counts the calls.
/// </summary>
class AlwaysMiscountingQueue(LogEventQueue inner, int count) : DelegatingQueue(inner)
{
    int _calls;

    /// <summary>How many times <see cref="TryDequeue"/> has been called.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        Interlocked.Increment(ref _calls);
        marker = null;
        return count;
    }
}
