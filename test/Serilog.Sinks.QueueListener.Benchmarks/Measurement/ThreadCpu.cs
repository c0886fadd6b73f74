using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The CPU time of the calling thread alone, user and kernel, in nanoseconds, from Linux's
/// <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>: a fraction of a microsecond a reading, cheap enough to split one
/// thread's time between the phases of its loop, and unlike wall time it does not grow while the thread waits for a
/// core. Elsewhere <see cref="IsSupported"/> is <see langword="false"/>.
/// </summary>
static class ThreadCpu
{
    const int ClockThreadCpuTimeId = 3;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>The calling thread's CPU time so far, in nanoseconds; zero where it cannot be read.</summary>
    public static long Nanoseconds() => NowNanoseconds() ?? 0;

    /// <summary>The calling thread's CPU time so far, or <see langword="null"/> where the clock is not
    /// available.</summary>
    public static long? NowNanoseconds()
    {
        if (!IsSupported) return null;
        return ClockGetTime(ClockThreadCpuTimeId, out var time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : null;
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
