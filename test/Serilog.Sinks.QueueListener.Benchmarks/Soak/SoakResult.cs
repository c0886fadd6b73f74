namespace Serilog.Sinks.QueueListener.Benchmarks.Soak;

/// <summary>
/// What a soak run found: how many events were logged and found in the file, and the managed heap before and after.
/// </summary>
sealed record SoakResult(
    TimeSpan Duration,
    int Producers,
    long Emitted,
    long FoundInFile,
    long OutOfOrder,
    long HeapBeforeBytes,
    long HeapAfterBytes,
    string FilePath)
{
    /// <summary>
    /// How much the heap may grow and still count as flat: a generous allowance for the runtime's own caches, far
    /// below what a leak of even one reference per event would leave after millions of events.
    /// </summary>
    public const long FlatHeapAllowanceBytes = 16 * 1024 * 1024;

    public bool EveryEventWritten => FoundInFile == Emitted && OutOfOrder == 0;

    public bool HeapStayedFlat => HeapAfterBytes - HeapBeforeBytes < FlatHeapAllowanceBytes;

    public bool Passed => EveryEventWritten && HeapStayedFlat;

    public override string ToString() =>
        $"""
        Soak: {Producers} producers logged for {Duration.TotalSeconds:N0} s in Block mode into {FilePath}
          emitted           {Emitted:N0} events ({Emitted / Math.Max(Duration.TotalSeconds, 0.001):N0} events/s)
          found in the file {FoundInFile:N0} ({(EveryEventWritten ? "all, in order per producer" : $"MISSING {Emitted - FoundInFile:N0}, out of order {OutOfOrder:N0}")})
          managed heap      {HeapBeforeBytes / 1024.0 / 1024:N1} MiB before, {HeapAfterBytes / 1024.0 / 1024:N1} MiB after ({(HeapStayedFlat ? "flat" : "GREW")})
          result            {(Passed ? "passed" : "FAILED")}
        """;
}
