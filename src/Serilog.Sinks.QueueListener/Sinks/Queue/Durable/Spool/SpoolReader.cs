using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The listener's side of a spool: reads the records in order, from the checkpoint on, through the segments an
/// earlier process left (recovered) and then those this process writes (live).
/// </summary>
/// <remarks>
/// <para>Used under the queue's read lock only. In a live segment a record is read once its length is non-zero (an
/// acquire load; see <see cref="RecordLayout"/>), and a zero length means the producer that reserved it has not
/// committed yet: the reader waits for it rather than skip, since in a live process every reserved region is
/// committed (nothing between the reservation and the commit can fail).</para>
/// <para>In a recovered segment nothing is trusted: each record's check and checksum are verified, and what fails
/// them is skipped up to the next valid record (see <see cref="RecordLayout"/>) and reported with its position: a
/// hole left by a killed producer, damaged bytes, a record of a kind this version does not know. Zeros to the end of
/// the segment are its unused tail, not reported. Reading never waits in a recovered segment, so damage can never
/// hang the listener, and the scan is linear in the segment's size.</para>
/// <para>String tables: a record of <see cref="RecordLayout.TabledEventKind"/> may refer to strings defined by an
/// earlier record of its thread in the same segment (<see cref="WriterStringTable"/>), so the reader keeps the tables
/// of the segment it is in (<see cref="SegmentStringTables"/>), and a reader that starts in the middle of a segment
/// (after a checkpoint) first reads the records before its start for their definitions only, delivering and
/// reporting nothing of them: they were delivered, or reported, by the process that wrote the checkpoint. A
/// definition that cannot be read (its record damaged) costs the records that refer to it, each reported as
/// unreadable with the position of the table they refer to.</para>
/// </remarks>
sealed unsafe class SpoolReader
{
    readonly EventDecoder _decoder = new();
    readonly SegmentStringTables _tables = new();
    readonly SpoolPosition _redeliveredBefore;
    readonly Action<string> _reportDamage;
    SpoolSegment _segment;
    int _offset;

    /// <param name="first">The segment to start in.</param>
    /// <param name="offset">The offset to start at, on a record boundary (or the header's end).</param>
    /// <param name="redeliveredBefore">Events of recovered segments before this position may have reached a sink
    /// already, and carry the re-delivered property.</param>
    /// <param name="reportDamage">Reports damage found, with its position.</param>
    public SpoolReader(SpoolSegment first, int offset, SpoolPosition redeliveredBefore, Action<string> reportDamage)
    {
        _segment = first;
        _offset = offset;
        _redeliveredBefore = redeliveredBefore;
        _reportDamage = reportDamage;
        if (offset > SegmentHeader.Size) ReadDefinitionsBefore(offset);
    }

    /// <summary>Where the next record is read from: everything before it has been read.</summary>
    public SpoolPosition Position => new(_segment.Number, _offset);

    /// <summary>The segment being read.</summary>
    public SpoolSegment Segment => _segment;

    /// <summary>Whether <see cref="TryRead"/> would find something now (a record, damage to skip, or the next
    /// segment).</summary>
    public bool HasMore
    {
        get
        {
            var segment = _segment;
            if (segment.IsRecovered) return true;
            if (_offset + 8 > segment.Capacity) return segment.Next is not null;
            var length = RecordLayout.ReadLength(segment.Start + _offset);
            return length != 0 && (length != RecordLayout.EndOfSegment || segment.Next is not null);
        }
    }

    /// <summary>Read the next event.</summary>
    /// <param name="live">Receives whether it came from a live segment.</param>
    /// <returns>The event, or <see langword="null"/> when none is committed yet.</returns>
    public LogEvent? TryRead(out bool live)
    {
        while (true)
        {
            var segment = _segment;
            live = !segment.IsRecovered;
            if (_offset + 8 > segment.Capacity)
            {
                if (!MoveToNext()) return null;
                continue;
            }

            var at = segment.Start + _offset;
            var length = RecordLayout.ReadLength(at);
            if (length == RecordLayout.EndOfSegment && (live || RecordLayout.HasValidCheck(at, length)))
            {
                _offset = segment.Capacity;
                if (!MoveToNext()) return null;
                continue;
            }

            if (live)
            {
                if (length == 0) return null;
                var logEvent = Decode(at, length, RecordLayout.Kind(at), redelivered: false);
                _offset += RecordLayout.Size((int)length);
                if (logEvent is not null) return logEvent;
                continue;
            }

            if (IsWholeRecord(segment, _offset, length))
            {
                var position = Position;
                var kind = RecordLayout.Kind(at);
                var logEvent = IsEvent(kind)
                    ? Decode(at, length, kind, redelivered: position < _redeliveredBefore)
                    : Skip($"a record of a kind this version does not know ({kind}), from a newer version", length);
                _offset += RecordLayout.Size((int)length);
                if (logEvent is not null) return logEvent;
                continue;
            }

            SkipDamage(segment);
        }
    }

    LogEvent? Skip(string what, uint length)
    {
        _reportDamage($"{what} at {Position} ({RecordLayout.Size((int)length)} bytes) was skipped");
        return null;
    }

    static bool IsWholeRecord(SpoolSegment segment, int offset, uint length) =>
        length != 0 && offset + RecordLayout.HeaderSize <= segment.Capacity
        && length <= (uint)(segment.Capacity - offset - RecordLayout.HeaderSize)
        && RecordLayout.HasValidCheck(segment.Start + offset, length)
        && RecordLayout.HasValidPayload(segment.Start + offset, length);

    /// <summary>Skip from the current offset to the next valid record or end marker, reporting what was skipped
    /// unless it is the segment's unused tail.</summary>
    void SkipDamage(SpoolSegment segment)
    {
        var from = _offset;
        var next = from + 8;
        while (next + 8 <= segment.Capacity && !IsRecordStart(segment, next)) next += 8;
        if (next + 8 > segment.Capacity) next = segment.Capacity;
        var lengthMissing = RecordLayout.ReadLength(segment.Start + from) == 0;
        _offset = next;
        if (lengthMissing && next == segment.Capacity && IsZero(segment.Start + from, next - from)) return;

        // The length is written last, so a record without one is what a producer leaves when the process ends between
        // its reservation and its commit (or zeros where records were); anything else is damage.
        var what = lengthMissing
            ? "an incomplete record (its length, written last, is missing: a write cut short by the end of the process)"
            : "damaged data (bytes that are not a whole record: a torn write after a power loss, or a change to the file)";
        _reportDamage($"{what} at {new SpoolPosition(segment.Number, from)} ({next - from} bytes) was skipped");
    }

    static bool IsRecordStart(SpoolSegment segment, int offset)
    {
        var at = segment.Start + offset;
        var length = RecordLayout.ReadLength(at);
        if (length == RecordLayout.EndOfSegment) return RecordLayout.HasValidCheck(at, length);
        return IsWholeRecord(segment, offset, length);
    }

    static bool IsZero(byte* at, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (at[i] != 0) return false;
        }

        return true;
    }

    static bool IsEvent(uint kind) => kind is RecordLayout.EventKind or RecordLayout.TabledEventKind;

    LogEvent? Decode(byte* at, uint length, uint kind, bool redelivered)
    {
        try
        {
            return _decoder.Decode(at + RecordLayout.HeaderSize, (int)length, kind, _offset, _tables, redelivered);
        }
        catch (InvalidDataException ex)
        {
            return Skip($"an unreadable record ({ex.Message})", length);
        }
    }

    bool MoveToNext()
    {
        var next = _segment.Next;
        if (next is null) return false;
        _segment = next;
        _offset = SegmentHeader.Size;
        _tables.Clear();
        return true;
    }

    /// <summary>Read the whole records of the segment before <paramref name="start"/> for the string definitions
    /// they make, and nothing else; see the remarks.</summary>
    void ReadDefinitionsBefore(int start)
    {
        for (var offset = SegmentHeader.Size; offset < start;)
        {
            var at = _segment.Start + offset;
            var length = RecordLayout.ReadLength(at);
            if (length == RecordLayout.EndOfSegment || !IsWholeRecord(_segment, offset, length))
            {
                // Damage or a hole, already reported by the process that read past it: look for the next record.
                offset += 8;
                continue;
            }

            if (RecordLayout.Kind(at) == RecordLayout.TabledEventKind)
            {
                try
                {
                    _decoder.Decode(at + RecordLayout.HeaderSize, (int)length, RecordLayout.TabledEventKind, offset, _tables, redelivered: false);
                }
                catch (InvalidDataException)
                {
                    // Reported when it was first read; a record that refers to what it defined is reported then.
                }
            }

            offset += RecordLayout.Size((int)length);
        }
    }
}
