using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The CPU time of the calling thread alone, user and kernel, in nanoseconds, from Linux's
/// <c>CLOCK_THREAD_CPUTIME_ID</c>: unlike wall time it does not grow while the thread waits for a core, which on a
/// loaded machine is most of what a wall-clock figure measures.
/// </summary>
static class ThreadCpu
{
    const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The calling thread's CPU time so far, or <see langword="null"/> where the clock is not
    /// available.</summary>
    public static long? NowNanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return ClockGetTime(ClockThreadCpuTimeId, out var time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : null;
    }
}
