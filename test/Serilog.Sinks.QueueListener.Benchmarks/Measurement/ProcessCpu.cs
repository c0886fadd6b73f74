using System.Diagnostics;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The CPU time of the whole process, all threads, user and kernel.
/// </summary>
static class ProcessCpu
{
    public static TimeSpan Now()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
