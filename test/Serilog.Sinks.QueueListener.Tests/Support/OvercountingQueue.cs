using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue that, once, returns one more than the events it put in the batch: a count the batch can hold, with
/// an empty cell at its end.
/// </summary>
sealed class OvercountingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    int _armed = 1;

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        var count = base.TryDequeue(batch, out marker);
        if (count == 0 || count == batch.Length || Interlocked.Exchange(ref _armed, 0) == 0) return count;
        return count + 1;
    }
}
