namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// Where the events of the paced latency benchmark end up. Either way a <see cref="DeliveryStampingSink"/> receives
/// each event first and notes when.
/// </summary>
enum EndSink
{
    /// <summary>A real Serilog.Sinks.File sink with its defaults (unbuffered: one write to the file per event), in a
    /// temporary folder: what an application's sink costs the thread that calls it.</summary>
    File,

    /// <summary>Nothing past the stamp and the count: what the pipeline costs by itself.</summary>
    Counting,
}
