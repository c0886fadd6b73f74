namespace Serilog.Sinks.Queue;

/// <summary>
/// What opening a spool finds: the segments an earlier process left after the checkpoint (linked in order, followed
/// by this process's first live segment), where reading starts, and what was wrong on the way, to be reported once a
/// failure listener is set.
/// </summary>
/// <remarks>
/// Segment files the checkpoint has passed are deleted; an empty segment file (a process killed between creating and
/// sizing it) is deleted; a file that is not a segment, or one of a newer format, is reported and left in place (new
/// segments are numbered after it); a segment whose header is damaged, or whose file is shorter than when it was
/// made, is read anyway, each record checked on its own.
/// </remarks>
sealed class SpoolOpening
{
    public SpoolOpening(SpoolCheckpoint checkpoint)
    {
        Checkpoint = checkpoint;
    }

    public SpoolCheckpoint Checkpoint { get; }

    /// <summary>The first segment to read: the oldest recovered one, or the live one.</summary>
    public SpoolSegment First { get; private set; } = null!;

    /// <summary>This process's first segment.</summary>
    public SpoolSegment Live { get; private set; } = null!;

    /// <summary>The offset to start reading <see cref="First"/> at.</summary>
    public int StartOffset { get; private set; } = SegmentHeader.Size;

    /// <summary>The bytes of the recovered segments' files.</summary>
    public long RecoveredBytes { get; private set; }

    public List<string> Problems { get; } = [];

    public static SpoolOpening Open(string directory, int segmentSize)
    {
        var checkpoint = SpoolCheckpoint.Open(directory, out var checkpointProblem);
        try
        {
            var opening = new SpoolOpening(checkpoint);
            if (checkpointProblem is not null) opening.Problems.Add(checkpointProblem);
            opening.Recover(directory, segmentSize);
            return opening;
        }
        catch
        {
            checkpoint.Close();
            throw;
        }
    }

    void Recover(string directory, int segmentSize)
    {
        var acknowledged = Checkpoint.Acknowledged;
        var highest = 0L;
        var recovered = new List<SpoolSegment>();
        foreach (var (number, path) in SegmentFiles(directory))
        {
            highest = Math.Max(highest, number);
            if (new FileInfo(path).Length == 0 || (number < acknowledged.Segment && IsOwnFormat(path)))
            {
                TryDelete(path);
                continue;
            }

            if (OpenRecovered(path, number) is { } segment) recovered.Add(segment);
        }

        Live = SpoolSegment.Create(directory, highest + 1, segmentSize);
        for (var i = 0; i < recovered.Count; i++)
        {
            recovered[i].Next = i + 1 < recovered.Count ? recovered[i + 1] : Live;
            RecoveredBytes += recovered[i].Capacity;
        }

        First = recovered.Count > 0 ? recovered[0] : Live;
        if (First.Number == acknowledged.Segment && acknowledged.Offset != SegmentHeader.Size)
        {
            if (acknowledged.Offset % 8 == 0 && acknowledged.Offset > SegmentHeader.Size && acknowledged.Offset <= First.Capacity)
            {
                StartOffset = (int)acknowledged.Offset;
            }
            else
            {
                Problems.Add($"the checkpoint's position ({acknowledged}) is not in its segment; the segment is read from its start");
            }
        }

        if (recovered.Count == 0) Checkpoint.Update(new SpoolPosition(Live.Number, SegmentHeader.Size), new SpoolPosition(Live.Number, SegmentHeader.Size));
    }

    SpoolSegment? OpenRecovered(string path, long number)
    {
        var length = new FileInfo(path).Length;
        if (length < SegmentHeader.Size + 8)
        {
            Problems.Add($"the file {path} ({length} bytes) is too short to be a spool segment; it was left in place");
            return null;
        }

        SpoolSegment segment;
        try
        {
            segment = SpoolSegment.OpenRecovered(path, number, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problems.Add($"the segment {path} could not be opened ({ex.Message}); it was left in place");
            return null;
        }

        unsafe
        {
            var state = SegmentHeader.Read(segment.Start, length, out var version);
            switch (state)
            {
                case SegmentHeaderState.Foreign when IsAllZeros(segment):
                    // A process killed between creating the file and writing its header: no record can be in it, since
                    // producers write only to a segment whose header is written.
                    segment.Delete();
                    return null;
                case SegmentHeaderState.Foreign when IsZeros(segment.Start, SegmentHeader.Size):
                    Problems.Add($"the header of the segment {path} is zeros; its records are read, each checked on its own");
                    break;
                case SegmentHeaderState.Foreign:
                    Problems.Add($"the file {path} is not a spool segment (it does not start with the spool's magic); it was left in place");
                    segment.Close();
                    return null;
                case SegmentHeaderState.Newer:
                    Problems.Add($"the segment {path} was written by a newer version of the spool format ({version}; this version reads {SegmentHeader.FormatVersion}); it was left in place for that version");
                    segment.Close();
                    return null;
                case SegmentHeaderState.Damaged:
                    Problems.Add($"the header of the segment {path} is damaged; its records are read, each checked on its own");
                    break;
                case SegmentHeaderState.Truncated:
                    Problems.Add($"the segment {path} is not the length it was made with (now {length} bytes); its records are read as far as it goes");
                    break;
            }
        }

        return segment;
    }

    static unsafe bool IsAllZeros(SpoolSegment segment) => IsZeros(segment.Start, segment.Capacity);

    static unsafe bool IsZeros(byte* start, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (start[i] != 0) return false;
        }

        return true;
    }

    static List<(long Number, string Path)> SegmentFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.seg")
            .Select(path => (Ok: SpoolSegment.TryParseFileName(Path.GetFileName(path), out var number), Number: number, Path: path))
            .Where(file => file.Ok)
            .OrderBy(file => file.Number)
            .Select(file => (file.Number, file.Path))
            .ToList();

    /// <summary>Whether a file the checkpoint has passed is a segment this version wrote (a file of another kind or
    /// a newer format is never deleted, whatever its name).</summary>
    static bool IsOwnFormat(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = new byte[12];
            var read = 0;
            while (read < start.Length && stream.Read(start, read, start.Length - read) is var n and > 0) read += n;
            return read == start.Length && SegmentHeader.HasMagic(start) && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(8)) <= SegmentHeader.FormatVersion;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start.
        }
    }
}
