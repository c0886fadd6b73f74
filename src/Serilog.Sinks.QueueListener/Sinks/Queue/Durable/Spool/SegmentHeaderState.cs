namespace Serilog.Sinks.Queue;

/// <summary>What a segment file's header says when the spool is opened.</summary>
enum SegmentHeaderState
{
    /// <summary>A segment of this format, as long as when it was made.</summary>
    Valid,

    /// <summary>A segment of this format whose file is shorter or longer than when it was made: its records are read
    /// as far as the file goes, and the difference is reported.</summary>
    Truncated,

    /// <summary>The magic is there but the header's checksum or version is wrong: its records are still read, each
    /// checked on its own.</summary>
    Damaged,

    /// <summary>Written by a newer version of the format: reported and left in place for that version to read.</summary>
    Newer,

    /// <summary>Not a segment (no magic): reported and left in place.</summary>
    Foreign,
}
