namespace Serilog.Sinks.Queue;

/// <summary>
/// Touches, on the listener's thread, the pages of the current segment that producers will write next, so that the
/// page fault of a page's first store (the kernel finding or allocating its page of the file) is the listener's,
/// not a caller's. With records of about 60 bytes, one call in seventy lands on a new page: without this, the
/// callers' p99 at high rates is a page fault.
/// </summary>
/// <remarks>
/// <para>The touch is <c>Interlocked.CompareExchange(ref word, 0, 0)</c> on the first word of each page ahead of the
/// reservation counter: a locked read-modify-write, so the processor faults the page in for writing, and one that
/// never changes the word. A producer that has reserved that word already and stores into it at the same moment
/// loses nothing: the locked operation reads and writes the word as one access, ordered before or after the
/// producer's store, and writes back what it read when the word was not zero. A crash between the touch and the
/// producer's record leaves zeros, as before it.</para>
/// <para>Only a live segment is touched (a recovered one is mapped read-only and never written). The segment is held
/// in a local for the duration, which keeps its mapping alive should the queue be disposed and retire it meanwhile
/// (see <see cref="SpoolSegment"/>). Used by the listener's thread only, under the queue's read lock: no lock of its
/// own.</para>
/// </remarks>
sealed unsafe class SpoolPrefaulter
{
    /// <summary>How far ahead of the producers the pages are touched: at 200,000 events/s of 60 bytes, about 10 ms of
    /// writing, several of the listener's batches.</summary>
    const int Distance = 128 * 1024;

    static readonly int PageSize = Environment.SystemPageSize;

    readonly SpoolWriter _writer;

    /// <summary>The segment <see cref="_touchedTo"/> is an offset in.</summary>
    SpoolSegment? _segment;

    /// <summary>The offset up to which the pages of <see cref="_segment"/> have been touched.</summary>
    long _touchedTo;

    public SpoolPrefaulter(SpoolWriter writer) => _writer = writer;

    /// <summary>Touch the pages from the producers' reservation up to <see cref="Distance"/> ahead of it that are not
    /// touched yet; nothing when they are.</summary>
    public void TouchAhead()
    {
        var segment = _writer.Current;
        if (segment.IsRecovered) return;
        if (!ReferenceEquals(segment, _segment))
        {
            _segment = segment;
            _touchedTo = 0;
        }

        var reserved = Interlocked.Read(ref segment.Reserved);
        var end = Math.Min(segment.Capacity, reserved + Distance);
        var from = Math.Max(_touchedTo, (reserved + PageSize - 1) / PageSize * PageSize);
        if (from >= end) return;

        var start = segment.Start;
        for (var offset = from; offset < end; offset += PageSize)
        {
            Interlocked.CompareExchange(ref *(int*)(start + offset), 0, 0);
        }

        _touchedTo = end;
        GC.KeepAlive(segment);
    }
}
