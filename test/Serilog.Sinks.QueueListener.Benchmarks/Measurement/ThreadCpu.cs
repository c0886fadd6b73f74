using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The CPU time of the calling thread, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux: a fraction of a
/// microsecond a reading, cheap enough to split one thread's time between the phases of its loop. Elsewhere
/// <see cref="IsSupported"/> is <see langword="false"/> and every reading is zero.
/// </summary>
static class ThreadCpu
{
    const int ClockThreadCpuTimeId = 3;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>The calling thread's CPU time so far, in nanoseconds; zero where it cannot be read.</summary>
    public static long Nanoseconds()
    {
        if (!IsSupported || ClockGetTime(ClockThreadCpuTimeId, out var time) != 0) return 0;
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);
}
