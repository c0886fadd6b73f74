using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>Reading a durable queue directly, as the listener does, for the tests of the spool itself.</summary>
static class SpoolHelpers
{
    /// <summary>Take every event the queue has now, acknowledging each batch when <paramref name="acknowledge"/>.</summary>
    public static List<LogEvent> DrainNow(DurableLogEventQueue queue, bool acknowledge = true, int batchSize = 100)
    {
        var events = new List<LogEvent>();
        var batch = new LogEvent[batchSize];
        while (true)
        {
            var count = queue.TryDequeue(batch, out var marker);
            if (count == 0 && marker is null) return events;
            events.AddRange(batch.Take(count));
            if (count > 0 && acknowledge) queue.Acknowledge();
        }
    }

    /// <summary>Take up to <paramref name="count"/> events without acknowledging them.</summary>
    public static List<LogEvent> Take(DurableLogEventQueue queue, int count)
    {
        var batch = new LogEvent[count];
        var taken = queue.TryDequeue(batch, out _);
        return batch.Take(taken).ToList();
    }

    public static bool IsRedelivered(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(DurableLogEventQueue.RedeliveredPropertyName, out var value)
        && value is ScalarValue { Value: true };

    /// <summary>As <see cref="DrainNow"/>, failing the test rather than hanging it should the queue never say it is
    /// empty.</summary>
    public static List<LogEvent> DrainWithin(DurableLogEventQueue queue, TimeSpan timeout)
    {
        var drain = Task.Run(() => DrainNow(queue));
        Assert.That(drain.Wait(timeout), Is.True, "draining the spool did not end");
        return drain.Result;
    }

    /// <summary>The offsets of the records in a segment file, read with the layout of FORMAT.md.</summary>
    public static List<int> RecordOffsets(byte[] segment)
    {
        var offsets = new List<int>();
        var offset = 64;
        while (offset + 16 <= segment.Length)
        {
            var length = BitConverter.ToUInt32(segment, offset);
            if (length is 0 or uint.MaxValue) break;
            offsets.Add(offset);
            offset += (16 + (int)length + 7) & ~7;
        }

        return offsets;
    }

    public static string[] SegmentFiles(string spool) =>
        Directory.GetFiles(spool, "*.seg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
