using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The producers' side of a spool: reserves a region of the current segment for each record, writes it there, and
/// rolls over to a new segment when the current one is full, within the size limit.
/// </summary>
/// <remarks>
/// <para>Steady state: the event is encoded on the calling thread (<see cref="EventEncoder"/>), then one interlocked
/// add on the current segment's <see cref="SpoolSegment.Reserved"/> counter, then plain stores into the mapping
/// (<see cref="RecordLayout.Write"/>): no lock, no system call, nothing shared with the listener but the bytes
/// themselves (published by the record's length, a release store).</para>
/// <para>Rollover: the add returns the region's start; a region that ends past the capacity does not fit. Exactly
/// one producer's region straddles the capacity (starts before it, ends after it; the counter only grows and regions
/// do not overlap): that producer writes the end-of-segment marker at its start, so that the reader knows the rest is
/// unused, and every producer whose region did not fit then takes <see cref="_rollover"/>, where the first creates
/// the next segment and the others find it made. The lock is taken once per segment, not per event; the listener
/// takes it only to wake producers waiting for room.</para>
/// <para>Full: the spool holds at most <see cref="_sizeLimit"/> bytes of segment files (<see cref="_liveBytes"/>,
/// counted as they are created and deleted). When a new segment would pass it, Block waits on
/// <see cref="_rollover"/> until the listener deletes a segment (or the token is cancelled), and the drop modes
/// return <see cref="SpoolWrite.Full"/>.</para>
/// </remarks>
sealed unsafe class SpoolWriter
{
    /// <summary>How long a producer waiting for room sleeps before it looks again, should a wake-up be missed.</summary>
    static readonly TimeSpan RoomRecheck = TimeSpan.FromMilliseconds(100);

    readonly string _directory;
    readonly int _segmentSize;
    readonly long _sizeLimit;
    readonly bool _dropWhenFull;
    readonly bool _flushEachRecord;

    /// <summary>Taken by producers to roll over, and by the listener to wake producers waiting for room.</summary>
    readonly object _rollover = new();

    /// <summary>The segment producers reserve in; replaced under <see cref="_rollover"/>, read without it.</summary>
    volatile SpoolSegment _current;

    /// <summary>The bytes of segment files not yet deleted; interlocked.</summary>
    long _liveBytes;

    /// <summary>Set when the queue is disposed: producers waiting for room give up.</summary>
    volatile bool _closed;

    public SpoolWriter(string directory, SpoolSegment first, long recoveredBytes, int segmentSize, long sizeLimit,
        bool dropWhenFull, bool flushEachRecord)
    {
        _directory = directory;
        _current = first;
        _liveBytes = recoveredBytes + first.Capacity;
        _segmentSize = segmentSize;
        _sizeLimit = sizeLimit;
        _dropWhenFull = dropWhenFull;
        _flushEachRecord = flushEachRecord;
    }

    /// <summary>The segment producers write to now.</summary>
    public SpoolSegment Current => _current;

    /// <summary>The largest payload a record may carry: one record must fit an empty segment.</summary>
    public int MaxPayload => _segmentSize - SegmentHeader.Size - RecordLayout.HeaderSize;

    /// <summary>The bytes of segment files on disk.</summary>
    public long LiveBytes => Volatile.Read(ref _liveBytes);

    /// <summary>Encode <paramref name="logEvent"/> with <paramref name="encoder"/> for the current segment and write
    /// its record there, encoding it again should it have to go to the next segment (its string table is per
    /// segment).</summary>
    /// <returns>Whether it was written; when <see cref="SpoolWrite.TooLarge"/>, the encoder's length is the record's
    /// payload.</returns>
    /// <exception cref="OperationCanceledException">In Block mode, when <paramref name="cancellationToken"/> is
    /// cancelled while the spool is full.</exception>
    /// <exception cref="IOException">When a new segment cannot be created (a full disk, say).</exception>
    public SpoolWrite TryWrite(EventEncoder encoder, LogEvent logEvent, CancellationToken cancellationToken)
    {
        while (true)
        {
            var segment = _current;
            if (!ReferenceEquals(encoder.EncodedFor, segment))
            {
                encoder.Encode(logEvent, segment);
                if (encoder.Length > MaxPayload) return SpoolWrite.TooLarge;
            }

            var length = encoder.Length;
            var size = RecordLayout.Size(length);
            var start = Interlocked.Add(ref segment.Reserved, size) - size;
            if (start + size <= segment.Capacity)
            {
                RecordLayout.Write(segment.Start + start, RecordLayout.TabledEventKind, encoder.Buffer, length);
                encoder.Committed((int)start);
                if (_flushEachRecord) segment.Flush();

                // The pointer was read from the segment; keep the segment (and so its mapping) alive until the
                // stores are done (see SpoolSegment's remarks on retiring).
                GC.KeepAlive(segment);
                return SpoolWrite.Written;
            }

            // Offsets and capacities are multiples of 8, so a straddling region leaves at least the marker's 8 bytes.
            if (start < segment.Capacity) RecordLayout.WriteEndOfSegment(segment.Start + start);
            GC.KeepAlive(segment);
            if (!RollOver(segment, cancellationToken)) return SpoolWrite.Full;
        }
    }

    bool RollOver(SpoolSegment full, CancellationToken cancellationToken)
    {
        lock (_rollover)
        {
            while (true)
            {
                if (full.Next is not null) return true;
                if (_closed) throw new ObjectDisposedException(nameof(DurableLogEventQueue));
                if (Volatile.Read(ref _liveBytes) + _segmentSize <= _sizeLimit)
                {
                    var next = SpoolSegment.Create(_directory, full.Number + 1, _segmentSize);
                    Interlocked.Add(ref _liveBytes, next.Capacity);
                    _current = next;
                    full.Next = next;
                    return true;
                }

                if (_dropWhenFull) return false;
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_rollover, RoomRecheck);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>The listener deleted a segment of <paramref name="bytes"/>: wake producers waiting for room.</summary>
    public void RoomFreed(long bytes)
    {
        Interlocked.Add(ref _liveBytes, -bytes);
        lock (_rollover)
        {
            Monitor.PulseAll(_rollover);
        }
    }

    /// <summary>Flush every segment from <paramref name="from"/> to the current one (a group commit).</summary>
    /// <returns>The current segment, where the next group commit starts.</returns>
    public SpoolSegment FlushFrom(SpoolSegment from)
    {
        var current = _current;
        for (var segment = from; segment is not null; segment = segment.Next)
        {
            segment.Flush();
            if (ReferenceEquals(segment, current)) break;
        }

        return current;
    }

    /// <summary>Refuse new segments and release producers waiting for room.</summary>
    public void Close()
    {
        _closed = true;
        lock (_rollover)
        {
            Monitor.PulseAll(_rollover);
        }
    }
}
