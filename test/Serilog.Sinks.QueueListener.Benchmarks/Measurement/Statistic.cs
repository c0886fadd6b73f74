namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The median of a set of repetitions, with the extremes, so that a reader sees the spread as well as the centre.
/// </summary>
readonly record struct Statistic(double Median, double Min, double Max)
{
    public static Statistic Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Statistic(double.NaN, double.NaN, double.NaN);

        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Statistic(median, sorted[0], sorted[^1]);
    }
}
