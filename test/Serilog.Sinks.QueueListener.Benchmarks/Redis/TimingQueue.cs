using System.Diagnostics;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// Passes every call on to the collector's queue and times it, wall and CPU, so that the report can say where the
/// collector's time goes (see <see cref="CollectorTimes"/>). A reading of the thread's CPU clock costs a fraction of
/// a microsecond, and the listener calls the queue once per read or per batch of up to 512 events, so the timing
/// costs the collector little.
/// </summary>
/// <remarks>
/// The listener thread is the only caller of the timed methods, so it alone writes the totals; each is written
/// with an interlocked add so that <see cref="Snapshot"/>, on the benchmark's thread, reads whole values while the
/// listener runs (a snapshot taken mid-call lacks that call, which a run of thousands of calls does not notice).
/// </remarks>
sealed class TimingQueue(IAcknowledgingLogEventQueue inner) : IAcknowledgingLogEventQueue
{
    enum Phase
    {
        Read,
        Dequeue,
        Acknowledge,
        Other,
    }

    readonly long[] _calls = new long[4];
    readonly long[] _wallTicks = new long[4];
    readonly long[] _cpuNanoseconds = new long[4];
    long _dequeuedEvents;

    /// <summary>When the listener thread last left the queue; listener thread only. Zero before its first call, so
    /// that the time before it is not counted as the sinks'.</summary>
    long _leftAt;
    long _leftAtCpu;

    public int Capacity => inner.Capacity;

    public int Count => inner.Count;

    public long DroppedCount => inner.DroppedCount;

    public CollectorTimes Snapshot()
    {
        double Wall(Phase phase) => Interlocked.Read(ref _wallTicks[(int)phase]) / (double)Stopwatch.Frequency;
        double Cpu(Phase phase) => Interlocked.Read(ref _cpuNanoseconds[(int)phase]) / 1e9;
        long Calls(Phase phase) => Interlocked.Read(ref _calls[(int)phase]);

        return new CollectorTimes(
            Calls(Phase.Read), Wall(Phase.Read), Cpu(Phase.Read),
            Calls(Phase.Dequeue), Interlocked.Read(ref _dequeuedEvents), Cpu(Phase.Dequeue),
            Calls(Phase.Acknowledge), Wall(Phase.Acknowledge), Cpu(Phase.Acknowledge),
            Wall(Phase.Other), Cpu(Phase.Other));
    }

    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken) => inner.Enqueue(logEvent, cancellationToken);

    public void EnqueueMarker(QueueMarker marker) => inner.EnqueueMarker(marker);

    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        var (wall, cpu) = Enter();
        try
        {
            var count = inner.TryDequeue(batch, out marker);
            Interlocked.Add(ref _dequeuedEvents, count);
            return count;
        }
        finally
        {
            Leave(Phase.Dequeue, wall, cpu);
        }
    }

    public bool WaitToDequeue(TimeSpan timeout)
    {
        var (wall, cpu) = Enter();
        try
        {
            return inner.WaitToDequeue(timeout);
        }
        finally
        {
            Leave(Phase.Read, wall, cpu);
        }
    }

    public void Acknowledge()
    {
        var (wall, cpu) = Enter();
        try
        {
            inner.Acknowledge();
        }
        finally
        {
            Leave(Phase.Acknowledge, wall, cpu);
        }
    }

    /// <summary>Charge the time since the last call to <see cref="Phase.Other"/>, and start timing this one.</summary>
    (long Wall, long Cpu) Enter()
    {
        var wall = Stopwatch.GetTimestamp();
        var cpu = ThreadCpu.Nanoseconds();
        if (_leftAt != 0) Add(Phase.Other, wall - _leftAt, cpu - _leftAtCpu);
        return (wall, cpu);
    }

    void Leave(Phase phase, long enteredAt, long enteredAtCpu)
    {
        _leftAt = Stopwatch.GetTimestamp();
        _leftAtCpu = ThreadCpu.Nanoseconds();
        Add(phase, _leftAt - enteredAt, _leftAtCpu - enteredAtCpu);
        if (phase != Phase.Other) Interlocked.Increment(ref _calls[(int)phase]);
    }

    void Add(Phase phase, long wallTicks, long cpuNanoseconds)
    {
        Interlocked.Add(ref _wallTicks[(int)phase], wallTicks);
        Interlocked.Add(ref _cpuNanoseconds[(int)phase], cpuNanoseconds);
    }
}
