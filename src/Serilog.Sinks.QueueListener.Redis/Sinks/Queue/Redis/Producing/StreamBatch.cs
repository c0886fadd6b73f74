using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// One entry's worth for a <see cref="RedisStreamSink"/>: its payload, its events and its number, and the sender
/// that sends it (to pass both to a continuation without a closure).
/// </summary>
/// <remarks>The payload, events and number never change once made. <see cref="Attempting"/> and
/// <see cref="MayHaveLanded"/> are read and written under the held batches' lock only (<see cref="HeldBatches.Lock"/>),
/// by <c>Emit</c>'s thread, the send's continuations and the thread that gives the batch up.</remarks>
sealed class StreamBatch(StreamBatchSender sender, byte[] payload, List<LogEvent> events, long sequence)
{
    bool _mayHaveLanded;

    public StreamBatchSender Sender { get; } = sender;

    public byte[] Payload { get; } = payload;

    public List<LogEvent> Events { get; } = events;

    public long Sequence { get; } = sequence;

    /// <summary>The id of the entry an earlier attempt added, when too few replicas acknowledged it (see
    /// <see cref="ReplicaWait"/>): the next attempt adds it again only if the stream no longer holds it. Written and
    /// read by the attempts alone, which follow one another (each is started by the completion of the one before), so
    /// without the lock.</summary>
    public RedisValue AddedId { get; set; }

    /// <summary>Whether an attempt is under way, which Redis may carry out even if its reply never comes. Under the
    /// held batches' lock.</summary>
    public bool Attempting { get; set; }

    /// <summary>Whether an attempt that failed may have added the entry all the same. Under the held batches'
    /// lock.</summary>
    public bool MayHaveLanded
    {
        get => _mayHaveLanded || Attempting;
        set => _mayHaveLanded = value;
    }
}
