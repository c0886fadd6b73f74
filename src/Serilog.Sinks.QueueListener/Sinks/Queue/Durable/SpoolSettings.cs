namespace Serilog.Sinks.Queue;

/// <summary>
/// The checks of a spool's settings, shared by <see cref="DurableLogEventQueue"/>'s constructor and
/// <c>WriteTo.Queue(..., spool:)</c> (which checks at configuration, before the logger is built), and the segment
/// size a size limit makes.
/// </summary>
static class SpoolSettings
{
    const int MinSegmentSize = 64 * 1024;
    const int MaxSegmentSize = 16 * 1024 * 1024;

    /// <summary>Throw, naming the parameter, when a setting is out of range.</summary>
    public static void Validate(string? path, long sizeLimit, QueueFullMode fullMode, TimeSpan? flushToDisk,
        string pathName, string sizeLimitName, string fullModeName, string flushToDiskName)
    {
        if (path is null) throw new ArgumentNullException(pathName);
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The spool path must not be empty.", pathName);
        if (sizeLimit < DurableLogEventQueue.MinSizeLimit)
        {
            throw new ArgumentOutOfRangeException(sizeLimitName, sizeLimit,
                $"The spool size limit must be at least {DurableLogEventQueue.MinSizeLimit:N0} bytes.");
        }

        if (fullMode == QueueFullMode.DropOldest)
        {
            throw new ArgumentException(
                "A spool cannot drop its oldest events (they may be in a sink's hands already, and a spool promises not to lose them); use Block or DropIncoming.",
                fullModeName);
        }

        if (fullMode is not (QueueFullMode.Block or QueueFullMode.DropIncoming))
        {
            throw new ArgumentOutOfRangeException(fullModeName, fullMode, "The full mode must be Block or DropIncoming.");
        }

        if (flushToDisk is { } interval && interval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(flushToDiskName, interval, "The flush interval must not be negative.");
        }
    }

    /// <summary>The segment size for a limit: a quarter of it, from 64 KiB to 16 MiB, in whole 4 KiB pages. Four
    /// segments to a limit let the listener free one while producers fill another; 16 MiB keeps a rollover (a file
    /// created and mapped) to one in about 100,000 events.</summary>
    public static int SegmentSize(long sizeLimit) => (int)Math.Min(MaxSegmentSize, Math.Max(MinSegmentSize, sizeLimit / 4)) & ~4095;
}
