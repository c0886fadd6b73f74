namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// Counts of garbage collections by generation: events that a queue holds long enough to survive a collection are
/// promoted, which shows as generation 1 and 2 collections.
/// </summary>
readonly record struct GcCollections(int Gen0, int Gen1, int Gen2)
{
    public static GcCollections Now() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    public static GcCollections operator -(GcCollections after, GcCollections before) =>
        new(after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2);

    public static GcCollections operator +(GcCollections left, GcCollections right) =>
        new(left.Gen0 + right.Gen0, left.Gen1 + right.Gen1, left.Gen2 + right.Gen2);

    public GcCollections Add(GcCollections other) => this + other;

    public GcCollections Subtract(GcCollections before) => this - before;
}
