namespace Serilog.Sinks.QueueListener.Benchmarks.Throughput;

/// <summary>
/// What one producer thread measured of itself: written by that thread, read after it has been joined.
/// </summary>
sealed class ProducerRecord
{
    public long Calls { get; set; }

    public long ElapsedTicks { get; set; }

    public long AllocatedBytes { get; set; }
}
