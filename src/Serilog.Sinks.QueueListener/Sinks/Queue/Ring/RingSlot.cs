using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// One cell of the <see cref="LogEventQueue"/> ring. <see cref="Sequence"/> says whose turn it is: equal to a
/// position <c>p</c>, the producer that reserved <c>p</c> may write it; equal to <c>p + 1</c>, the event of
/// position <c>p</c> is published and may be claimed; after the claim it becomes <c>p + slot count</c>, the next
/// position to use the cell.
/// </summary>
struct RingSlot
{
    public LogEvent? Item;
    public long Sequence;
}
