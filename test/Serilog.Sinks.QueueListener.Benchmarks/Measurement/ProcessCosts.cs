namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// What the whole process has spent so far: CPU time, bytes allocated and time suspended by the garbage collector.
/// Two readings subtract to what happened between them.
/// </summary>
readonly record struct ProcessCosts(TimeSpan Cpu, long AllocatedBytes, TimeSpan GcPause)
{
    public static ProcessCosts Now() =>
        new(ProcessCpu.Now(), GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration());

    public static ProcessCosts operator -(ProcessCosts after, ProcessCosts before) =>
        new(after.Cpu - before.Cpu, after.AllocatedBytes - before.AllocatedBytes, after.GcPause - before.GcPause);

    public ProcessCosts Subtract(ProcessCosts before) => this - before;
}
