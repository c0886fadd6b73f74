namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Nearest-rank percentiles: always a value that was measured, never one interpolated between two, so that a tail
/// figure is a call that really took that long.
/// </summary>
static class Percentile
{
    /// <summary>The value at <paramref name="percentile"/> (0 to 100) of values sorted in ascending order.</summary>
    /// <exception cref="ArgumentException">When <paramref name="sorted"/> is empty.</exception>
    public static T Of<T>(ReadOnlySpan<T> sorted, double percentile)
    {
        if (sorted.IsEmpty) throw new ArgumentException("There must be at least one value.", nameof(sorted));

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
