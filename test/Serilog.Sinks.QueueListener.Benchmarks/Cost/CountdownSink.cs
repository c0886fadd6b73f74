using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Cost;

/// <summary>
/// Counts with a plain increment and signals when the count reaches a target: the cheapest sink that still says when
/// the last event has arrived, so that a run's cost is the pipeline's and not the sink's. It also takes the CPU time
/// of the thread that emits to it, from the first event after <see cref="ExpectTotal"/> to the last.
/// </summary>
/// <remarks>Not thread-safe, and need not be: one thread emits to it at a time (the producer of a synchronous
/// pipeline, or the listener thread), and <see cref="ExpectTotal"/> is called only while nothing is in flight. The
/// signal publishes the count and the CPU times to the waiting thread.</remarks>
sealed class CountdownSink : ILogEventSink, IDisposable
{
    readonly ManualResetEventSlim _reached = new(false);
    long _count;
    long _first;
    long _target = long.MaxValue;
    long _cpuAtFirst;
    long _cpuAtTarget;

    public long Count => Volatile.Read(ref _count);

    /// <summary>The emitting thread's CPU time from the first event after <see cref="ExpectTotal"/> to the last, in
    /// nanoseconds; it covers the events after the first.</summary>
    public long EmitterCpuNanoseconds => _cpuAtTarget - _cpuAtFirst;

    /// <summary>Signal once <paramref name="total"/> events have arrived, counted from the sink's creation.</summary>
    public void ExpectTotal(long total)
    {
        _reached.Reset();
        _first = Count + 1;
        _cpuAtFirst = _cpuAtTarget = 0;
        Volatile.Write(ref _target, total);
        if (Count >= total) _reached.Set();
    }

    public bool Wait(TimeSpan timeout) => _reached.Wait(timeout);

    public void Emit(LogEvent logEvent)
    {
        var count = ++_count;
        if (count == _first) _cpuAtFirst = ThreadCpu.NowNanoseconds() ?? 0;
        if (count != _target) return;

        _cpuAtTarget = ThreadCpu.NowNanoseconds() ?? 0;
        _reached.Set();
    }

    public void Dispose() => _reached.Dispose();
}
