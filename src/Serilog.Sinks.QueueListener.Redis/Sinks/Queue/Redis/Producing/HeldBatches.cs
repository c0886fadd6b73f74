using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamSink"/> holds between <c>Emit</c> and Redis: the next batch, formatted and not yet
/// sent, with its events; the batch in flight or waiting to be retried; and the event an <c>Emit</c> waits to add to
/// a full next batch. Giving up takes all of it, once.
/// </summary>
/// <remarks>Every member is used under <see cref="Lock"/>, which the sink (<c>Emit</c>, flush, shutdown, disposal)
/// and the sender (each attempt and its completion) share; it also carries the waits for these states to change,
/// pulsed by each change that can end one (<see cref="Sent"/>, <see cref="GiveUp"/>). It is never held while calling
/// out: the failure listener is called, and Redis's completion of a send awaited, outside it.</remarks>
sealed class HeldBatches : IDisposable
{
    /// <summary>
    /// A batch takes no more events once its lines reach this many bytes, so that an entry stays below the runtime's
    /// large object threshold (85,000 bytes) on both sides unless its last event is large: the producer's payload and
    /// the collector's copy of it as read are then short-lived gen0 objects, where entries of a few hundred
    /// kilobytes each went to the large object heap and made most collections gen2 collections.
    /// </summary>
    internal const int EntryByteLimit = 64 * 1024;

    readonly int _batchSizeLimit;

    /// <summary>The next batch: formatted, not yet sent.</summary>
    readonly ClefWriter _next = new();

    /// <summary>The events of <see cref="_next"/>, to report if their send fails.</summary>
    List<LogEvent> _nextEvents = [];

    /// <summary>The number of the last entry made.</summary>
    long _sequence;

    /// <summary>How many times in a row the batch in flight has failed.</summary>
    int _failures;

    /// <param name="batchSizeLimit">The most events in one entry.</param>
    public HeldBatches(int batchSizeLimit)
    {
        _batchSizeLimit = batchSizeLimit;
    }

    /// <summary>Guards every member; see the remarks.</summary>
    public object Lock { get; } = new();

    /// <summary>Set by the sink's disposal: after this moment what is held is reported, not retried.</summary>
    public DateTime? GiveUpAt { get; set; }

    /// <summary>The batch in flight, or waiting to be retried; cleared once it is sent, or given up.</summary>
    public StreamBatch? Sending { get; private set; }

    /// <summary>Whether an <c>XADD</c> is in flight or waiting to be retried.</summary>
    public bool InFlight => Sending is not null;

    /// <summary>The event an <c>Emit</c> waits to add to a full next batch; taken by <see cref="GiveUp"/>, which
    /// tells that <c>Emit</c>, through its being <see langword="null"/> again, that its event is accounted
    /// for.</summary>
    public LogEvent? Waiting { get; set; }

    /// <summary>Set once what was held has been handed back or reported (<see cref="GiveUp"/>): nothing more is
    /// sent, retried or reported for those events.</summary>
    public bool GivenUp { get; private set; }

    /// <summary>Whether the next batch takes no more events.</summary>
    public bool IsNextFull => _nextEvents.Count >= _batchSizeLimit || _next.ByteCount >= EntryByteLimit;

    /// <summary>Whether the next batch holds events.</summary>
    public bool HasNext => _nextEvents.Count > 0;

    /// <summary>Format <paramref name="logEvent"/> into the next batch.</summary>
    /// <exception cref="Exception">Whatever formatting throws (a value whose <c>ToString()</c> throws, say); the
    /// batch is then as it was.</exception>
    public void Add(LogEvent logEvent)
    {
        _next.Write(logEvent);
        _nextEvents.Add(logEvent);
    }

    /// <summary>Make the next batch the one in flight, numbered, and start a new next batch. Only with nothing in
    /// flight.</summary>
    public StreamBatch SendNext(StreamBatchSender sender)
    {
        var batch = new StreamBatch(sender, _next.TakePayload(), _nextEvents, ++_sequence);
        _nextEvents = [];
        Sending = batch;
        return batch;
    }

    /// <summary>An attempt of the batch in flight failed, or found the stream full.</summary>
    /// <returns>How many have, in a row.</returns>
    public int Failed() => ++_failures;

    /// <summary>The batch in flight was added: nothing is in flight, and waits for that end.</summary>
    /// <returns>How many attempts failed before, in a row.</returns>
    public int Sent()
    {
        var failedBefore = _failures;
        _failures = 0;
        Sending = null;
        Monitor.PulseAll(Lock);
        return failedBefore;
    }

    /// <summary>
    /// Stop sending, and take everything held: the batch in flight (as possibly written when an attempt of it may
    /// have reached Redis), the next batch, and the event an <c>Emit</c> waits with; waking every <c>Emit</c> and
    /// flush that waits. A second call takes nothing.
    /// </summary>
    public HeldEvents GiveUp()
    {
        if (GivenUp) return new HeldEvents([], []);
        GivenUp = true;
        Monitor.PulseAll(Lock);

        var sending = Sending;
        List<LogEvent> notWritten = sending is { MayHaveLanded: false } ? [.. sending.Events] : [];
        notWritten.AddRange(_nextEvents);
        if (Waiting is { } waiting) notWritten.Add(waiting);

        Waiting = null;
        _nextEvents = [];
        Sending = null;
        return new HeldEvents(notWritten, sending is { MayHaveLanded: true } ? sending.Events : []);
    }

    public void Dispose() => _next.Dispose();
}
