using System.Globalization;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// What a producer process measured, as it prints it on its standard output (one <c>RESULT key=value ...</c> line)
/// and as the benchmark reads it back. Times are in nanoseconds.
/// </summary>
/// <param name="Calls">The measured log calls (warm-up excluded).</param>
/// <param name="LoopNanoseconds">From just before the first measured call to just after the last: the time spent
/// inside the calls, and, when paced, spinning between them.</param>
/// <param name="TotalNanoseconds">The loop and then the logger's disposal (<c>Log.CloseAndFlush()</c>), which waits
/// until the queue has handed everything on (to Redis, or to the counting sink).</param>
/// <param name="CpuNanoseconds">The producer process's CPU time over <paramref name="TotalNanoseconds"/>, every
/// thread: the caller, the queue's listener, the Redis connection's.</param>
/// <param name="CallerCpuNanoseconds">The calling thread's CPU time over the loop (when paced, its spinning
/// included); the rest of <paramref name="CpuNanoseconds"/> is the other threads'.</param>
/// <param name="AllocatedBytes">Bytes allocated by every thread of the producer process over
/// <paramref name="TotalNanoseconds"/>.</param>
/// <param name="GcPauseNanoseconds">The time the garbage collector suspended the process meanwhile.</param>
/// <param name="Failed">Events reported to the failure listener (never written).</param>
/// <param name="FailureReports">Failure reports that carried no events (a retried <c>XADD</c>, say).</param>
/// <param name="Delivered">Events the in-process counting sink received; -1 where the events go to Redis.</param>
/// <param name="CallerP50">When paced: the time inside one call, nearest-rank; otherwise NaN, as the others.</param>
/// <param name="MaxBehindNanoseconds">When paced: the latest a call began after its due time.</param>
/// <param name="SentPerSecond">When paced: the rate this producer achieved over its calls.</param>
sealed record ProducerResult(
    long Calls,
    double LoopNanoseconds,
    double TotalNanoseconds,
    double CpuNanoseconds,
    double CallerCpuNanoseconds,
    double AllocatedBytes,
    double GcPauseNanoseconds,
    long Failed,
    long FailureReports,
    long Delivered,
    double CallerP50 = double.NaN,
    double CallerP99 = double.NaN,
    double CallerP999 = double.NaN,
    double CallerMax = double.NaN,
    double MaxBehindNanoseconds = double.NaN,
    double SentPerSecond = double.NaN)
{
    public const string Prefix = "RESULT ";

    /// <summary>Time inside the log calls per call: the producer's cost, or, when the queue is full and blocks, the
    /// pipeline's pace.</summary>
    public double NanosecondsPerCall => LoopNanoseconds / Calls;

    public string ToLine() => Prefix + string.Join(' ', Fields().Select(f =>
        f.Name + "=" + f.Value.ToString("R", CultureInfo.InvariantCulture)));

    /// <exception cref="FormatException">When the line is not a result line.</exception>
    public static ProducerResult Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) throw new FormatException($"Not a result line: {line}");

        var values = line[Prefix.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture));
        double Value(string name) => values.TryGetValue(name, out var value)
            ? value
            : throw new FormatException($"The result line has no {name}: {line}");

        return new ProducerResult((long)Value("calls"), Value("loop_ns"), Value("total_ns"), Value("cpu_ns"),
            Value("caller_cpu_ns"), Value("allocated_bytes"), Value("gc_pause_ns"), (long)Value("failed"), (long)Value("failure_reports"), (long)Value("delivered"), Value("caller_p50_ns"),
            Value("caller_p99_ns"), Value("caller_p999_ns"), Value("caller_max_ns"), Value("behind_max_ns"),
            Value("sent_per_s"));
    }

    IEnumerable<(string Name, double Value)> Fields() =>
    [
        ("calls", Calls), ("loop_ns", LoopNanoseconds), ("total_ns", TotalNanoseconds), ("cpu_ns", CpuNanoseconds),
        ("caller_cpu_ns", CallerCpuNanoseconds), ("allocated_bytes", AllocatedBytes), ("gc_pause_ns", GcPauseNanoseconds),
        ("failed", Failed), ("failure_reports", FailureReports), ("delivered", Delivered),
        ("caller_p50_ns", CallerP50), ("caller_p99_ns", CallerP99), ("caller_p999_ns", CallerP999),
        ("caller_max_ns", CallerMax), ("behind_max_ns", MaxBehindNanoseconds), ("sent_per_s", SentPerSecond),
    ];
}
