using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Benchmarks.Durable;

/// <summary>Counts deliveries and signals when a target is reached: the end of a saturated run.</summary>
sealed class DeliveryCounter : ILogEventSink, IDisposable
{
    readonly ManualResetEventSlim _reached = new(false);
    long _delivered;
    long _target = long.MaxValue;

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _delivered) >= Volatile.Read(ref _target)) _reached.Set();
    }

    /// <summary>Wait until <paramref name="count"/> more events than now have been delivered.</summary>
    public void ExpectMore(long count)
    {
        _reached.Reset();
        Volatile.Write(ref _target, Volatile.Read(ref _delivered) + count);
        if (Volatile.Read(ref _delivered) >= Volatile.Read(ref _target)) _reached.Set();
    }

    public bool Wait(TimeSpan timeout) => _reached.Wait(timeout);

    public void Dispose() => _reached.Dispose();
}
