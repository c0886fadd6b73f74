namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The context switches of the calling thread, from Linux's <c>/proc/thread-self/status</c>. A voluntary switch is
/// the thread giving up its core: it parked, slept, blocked on a lock, or was suspended for a garbage collection. An
/// involuntary one is the scheduler taking the core away (preemption), which no code on the thread can prevent. The
/// two together tell a long call that waited from one that was only descheduled.
/// </summary>
readonly record struct ContextSwitches(long Voluntary, long Involuntary)
{
    const string StatusFile = "/proc/thread-self/status";

    /// <summary>The calling thread's counts so far, or <see langword="null"/> where the system does not publish
    /// them.</summary>
    public static ContextSwitches? OfCurrentThread()
    {
        try
        {
            if (!System.IO.File.Exists(StatusFile)) return null;

            long? voluntary = null, involuntary = null;
            foreach (var line in System.IO.File.ReadLines(StatusFile))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary = Value(line);
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary = Value(line);
            }

            return voluntary is { } v && involuntary is { } i ? new ContextSwitches(v, i) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static ContextSwitches operator -(ContextSwitches after, ContextSwitches before) =>
        new(after.Voluntary - before.Voluntary, after.Involuntary - before.Involuntary);

    public static ContextSwitches operator +(ContextSwitches left, ContextSwitches right) =>
        new(left.Voluntary + right.Voluntary, left.Involuntary + right.Involuntary);

    public ContextSwitches Subtract(ContextSwitches before) => this - before;

    public ContextSwitches Add(ContextSwitches other) => this + other;

    static long? Value(string line) =>
        long.TryParse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), out var value) ? value : null;
}
