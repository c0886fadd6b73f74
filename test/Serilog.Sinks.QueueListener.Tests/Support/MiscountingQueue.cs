using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue that, once, on the first <see cref="TryDequeue"/> that takes events, returns a count the batch
/// cannot hold: what <c>miscount</c> makes of the batch's length (<c>length + 1</c>, say, or <c>-1</c>). The events
/// themselves are in the batch, as the inner queue put them there.
/// </summary>
class MiscountingQueue(LogEventQueue inner, Func<int, int> miscount) : DelegatingQueue(inner)
{
    int _armed = 1;
    int _trueCount;

    /// <summary>Whether the bad count has been returned.</summary>
    public bool Miscounted => Volatile.Read(ref _armed) == 0;

    /// <summary>How many events the miscounted call really put in the batch.</summary>
    public int TrueCount => Volatile.Read(ref _trueCount);

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        var count = base.TryDequeue(batch, out marker);
        if (count == 0 || Interlocked.Exchange(ref _armed, 0) == 0) return count;

        Volatile.Write(ref _trueCount, count);
        return miscount(batch.Length);
    }
}
