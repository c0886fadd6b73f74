using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// One read of a <see cref="ConsumerGroupReader"/>.
/// </summary>
/// <param name="Entries">The entries to hand to the listener.</param>
/// <param name="Poison">Entries delivered more often than the reader's limit without being acknowledged, each with
/// its delivery count: their events are to be reported, not written, and the entries acknowledged.</param>
/// <param name="Deleted">The ids of pending entries another consumer held that were deleted from the stream before
/// anyone acknowledged them; Redis has already dropped them from the pending list.</param>
/// <param name="FoundAgain">Whether <paramref name="Entries"/> were found pending with this consumer, which no longer
/// held them (see <see cref="ConsumerGroupReader.RecoverLostReplies"/>).</param>
readonly record struct GroupRead(
    IReadOnlyList<StreamEntry> Entries,
    IReadOnlyList<(StreamEntry Entry, long Deliveries)> Poison,
    IReadOnlyList<RedisValue> Deleted,
    bool FoundAgain = false)
{
    public static readonly GroupRead Nothing = new([], [], []);

    public bool IsEmpty => Entries.Count == 0 && Poison.Count == 0 && Deleted.Count == 0;
}
