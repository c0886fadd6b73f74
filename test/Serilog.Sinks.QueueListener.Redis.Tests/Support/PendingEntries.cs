using Serilog.Sinks.Queue.Redis;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>The entries a consumer of a group holds unacknowledged, each with the number of events in it.</summary>
static class PendingEntries
{
    public static Dictionary<string, int> Of(IDatabase database, string streamKey, string group, string consumer)
    {
        var pending = database.StreamPendingMessages(streamKey, group, 100_000, consumer);
        var entries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var info in pending)
        {
            var entry = database.StreamRange(streamKey, info.MessageId, info.MessageId).Single();
            entries[info.MessageId.ToString()] = ClefReader.ReadLines((byte[])entry[RedisStreamFormat.EventsField]!).Count;
        }

        return entries;
    }
}
