namespace Serilog.Sinks.Queue;

/// <summary>What became of an event <see cref="SpoolWriter.TryWrite"/> was given.</summary>
enum SpoolWrite
{
    /// <summary>Committed to the spool.</summary>
    Written,

    /// <summary>Not written: the spool is full and the full mode drops.</summary>
    Full,

    /// <summary>Not written: its record is larger than a segment holds (<see cref="SpoolWriter.MaxPayload"/>).</summary>
    TooLarge,
}
