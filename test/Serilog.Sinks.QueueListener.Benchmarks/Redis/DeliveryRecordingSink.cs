using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// The collector's sink: counts each event once by its id (the <c>OrderId</c> the producers log, its index in the
/// run), so that a lost event and a duplicate both show, and notes each event's delivery latency, from its
/// timestamp (taken by Serilog in the producer process when the call began) to its arrival here. Producers and
/// collector run on one machine, so they read one wall clock. The entry id Redis gave the event's entry holds the
/// server's clock when it added the entry, in milliseconds, which splits the way in two: to Redis, and from Redis to
/// the sink. Warm-up events (id -1) are only counted.
/// Disposed with the listener; its figures can still be read after that.
/// </summary>
/// <remarks>
/// Called by the collector's listener thread only, so the counts need no interlocked operation: each is published
/// with a volatile write and read by the benchmark's thread with a volatile read. The arrays are read once the
/// listener has been disposed, which joins its thread.
/// </remarks>
sealed class DeliveryRecordingSink : ILogEventSink, IDisposable
{
    public const string IdProperty = "OrderId";

    readonly bool[] _seen;
    readonly long[] _latencyTicks;
    readonly long[] _toRedisTicks;
    readonly ManualResetEventSlim _allDelivered = new(false);
    long _distinct;
    long _arrivals;
    long _duplicates;
    long _warmUps;
    long _firstAt;
    long _lastAt;

    /// <param name="events">The measured events of the run, with ids from 0.</param>
    public DeliveryRecordingSink(int events)
    {
        _seen = new bool[events];
        _latencyTicks = new long[events];
        _toRedisTicks = new long[events];
    }

    public int Expected => _seen.Length;

    /// <summary>Measured events received at least once.</summary>
    public long Distinct => Volatile.Read(ref _distinct);

    /// <summary>Measured events received again (at-least-once delivery allows it; nothing in these runs should
    /// cause it).</summary>
    public long Duplicates => Volatile.Read(ref _duplicates);

    public long WarmUps => Volatile.Read(ref _warmUps);

    /// <summary>When the first and the last measured event arrived, in <see cref="Stopwatch"/> ticks.</summary>
    public long FirstAt => Volatile.Read(ref _firstAt);

    public long LastAt => Volatile.Read(ref _lastAt);

    /// <summary>The delivery latency of each measured event, in <see cref="TimeSpan"/> ticks, in order of
    /// arrival; duplicates excluded. Read once the listener is disposed.</summary>
    public ReadOnlySpan<long> LatencyTicks => _latencyTicks.AsSpan(0, (int)_arrivals);

    /// <summary>For the same events, in the same order: from the event's timestamp to the moment Redis added its
    /// entry, in <see cref="TimeSpan"/> ticks, to within the millisecond of the entry id (so as little as -1 ms).</summary>
    public ReadOnlySpan<long> ToRedisTicks => _toRedisTicks.AsSpan(0, (int)_arrivals);

    /// <returns>Whether every measured event arrived in time.</returns>
    public bool WaitForAll(TimeSpan timeout) => _allDelivered.Wait(timeout);

    public void Emit(LogEvent logEvent)
    {
        var now = DateTimeOffset.UtcNow;
        var id = logEvent.Properties.TryGetValue(IdProperty, out var value) && value is ScalarValue { Value: long l } ? l : -1;
        if (id < 0 || id >= _seen.Length)
        {
            Volatile.Write(ref _warmUps, _warmUps + 1);
            return;
        }

        if (_seen[id])
        {
            Volatile.Write(ref _duplicates, _duplicates + 1);
            return;
        }

        _seen[id] = true;
        var stamp = Stopwatch.GetTimestamp();
        if (_arrivals == 0) Volatile.Write(ref _firstAt, stamp);
        Volatile.Write(ref _lastAt, stamp);
        _latencyTicks[_arrivals] = (now - logEvent.Timestamp).Ticks;
        _toRedisTicks[_arrivals] = AddedToRedisAt(logEvent) - logEvent.Timestamp.UtcTicks;
        _arrivals++;
        Volatile.Write(ref _distinct, _distinct + 1);
        if (_distinct == _seen.Length) _allDelivered.Set();
    }

    public void Dispose() => _allDelivered.Dispose();

    /// <summary>The time part of the entry id ("1700000000000-0"), in UTC ticks.</summary>
    static long AddedToRedisAt(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(RedisStreamQueue.EntryIdPropertyName, out var value) &&
        value is ScalarValue { Value: string id } &&
        id.IndexOf('-', StringComparison.Ordinal) is > 0 and var dash &&
        long.TryParse(id.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcTicks
            : 0;
}
