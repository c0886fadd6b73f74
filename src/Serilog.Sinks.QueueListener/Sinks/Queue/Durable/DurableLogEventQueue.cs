using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// A queue kept in files (a spool folder), so that an event <see cref="Enqueue"/> has accepted survives the death of
/// the process by any signal, and, with <c>flushToDisk</c>, a power loss: the next queue over the same spool writes
/// every event the sinks had not acknowledged. See docs/durable.md, and the package's FORMAT.md for the bytes.
/// </summary>
/// <remarks>
/// <para><b>Producers</b> encode the event on the calling thread into a buffer of that thread's own, reserve a region
/// of the current memory-mapped segment with one interlocked add, copy the record there and commit it by writing its
/// length last (<see cref="SpoolWriter"/>, <see cref="RecordLayout"/>). No lock, no system call per event; once
/// <see cref="Enqueue"/> returns, the record is in the operating system's page cache, which outlives the
/// process.</para>
/// <para><b>The listener</b> reads the records in order (<see cref="SpoolReader"/>) and, after the sinks have each
/// batch, <see cref="Acknowledge"/> moves the checkpoint (<see cref="SpoolCheckpoint"/>) past it and deletes the
/// segments it has passed, making room for producers. At least once: a crash between a batch reaching the sinks and
/// its acknowledgement writes the batch again on the next start, each such event carrying
/// <see cref="RedeliveredPropertyName"/> so that a sink can remove duplicates.</para>
/// <para><b>Markers</b> (flush, stop) stay in memory, each with the spool position producers had reserved up to
/// when it was enqueued; the listener takes a marker once it has read up to that position, so every event enqueued
/// before it comes first.</para>
/// <para><b>One queue per spool</b>, enforced with a lock file (<see cref="SpoolLock"/>): a second queue over the same
/// folder, in this process or another, fails to construct with an <see cref="IOException"/>.</para>
/// <para><b>Disposal</b> (after the listener's; <c>WriteTo.Queue</c> disposes a queue it made): flushes, closes the
/// checkpoint and releases the lock. Events not yet acknowledged stay in the spool for the next start.</para>
/// </remarks>
public sealed class DurableLogEventQueue : IAcknowledgingLogEventQueue, IRetainingQueue, ISetLoggingFailureListener, IBuiltInQueue, IDisposable
{
    /// <summary>The default limit of the spool's size on disk: 256 MiB.</summary>
    public const long DefaultSizeLimit = 256L * 1024 * 1024;

    /// <summary>The smallest size limit: 1 MiB (four segments of 256 KiB).</summary>
    public const long MinSizeLimit = 1024 * 1024;

    /// <summary>The property, <see langword="true"/>, of an event written again after a restart that may have
    /// reached a sink before it: <c>QueueRedelivered</c>.</summary>
    public const string RedeliveredPropertyName = "QueueRedelivered";

    readonly SpoolLock _lock;
    readonly SpoolWriter _writer;
    readonly SpoolCheckpoint _checkpoint;
    readonly DropReporter _drops;
    readonly SpoolFlusher? _flusher;
    readonly bool _flushEachEvent;

    // Used by producers.
    /// <summary>Events written to the spool by this queue; interlocked.</summary>
    long _enqueued;

    /// <summary>Events dropped for want of room, or too large; interlocked.</summary>
    long _dropped;

    // Shared by producers and the listener.
    readonly ListenerWake _wake = new();
    readonly Func<bool> _hasSomething;

    /// <summary>Markers, each with the position producers had reserved up to when it was enqueued.</summary>
    readonly ConcurrentQueue<(QueueMarker Marker, SpoolPosition At)> _markers = new();

    // Used by the read side, under _readLock: the listener, and a reclaim after a shutdown that gave up on it.
    readonly object _readLock = new();
    readonly SpoolReader _reader;
    readonly SpoolPrefaulter _prefaulter;

    /// <summary>The oldest segment not yet deleted.</summary>
    SpoolSegment _oldest;

    /// <summary>Where each batch handed out and not yet acknowledged ends, oldest first. The listener acknowledges each
    /// batch before it takes the next, so this holds one at most, but for the batches a shutdown that gave up on the
    /// listener takes to report (<see cref="LeftoverReclaimer"/>): an abandoned listener that finishes its batch
    /// afterwards acknowledges that batch alone, never those, which were not written.</summary>
    readonly Queue<SpoolPosition> _unacknowledged = new();

    /// <summary>Events of live segments handed to the listener, for <see cref="Count"/>.</summary>
    long _dequeuedLive;

    List<string>? _openingProblems;
    bool _closed;

    int _runningListeners;
    int _disposed;
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    /// <summary>
    /// Open (or create) the spool in <paramref name="path"/>: whatever an earlier queue left there after its
    /// checkpoint is read first.
    /// </summary>
    /// <param name="path">The spool folder; created when missing. One queue at a time may use it.</param>
    /// <param name="sizeLimit">The most bytes the spool's segment files take on disk, from
    /// <see cref="MinSizeLimit"/>; by default <see cref="DefaultSizeLimit"/>.</param>
    /// <param name="fullMode">What a producer does when the spool is full: wait for the listener to free room
    /// (<see cref="QueueFullMode.Block"/>), or drop the incoming event and report it
    /// (<see cref="QueueFullMode.DropIncoming"/>). <see cref="QueueFullMode.DropOldest"/> is refused: the oldest
    /// events of a spool may be in a sink's hands already, and a spool promises not to lose them.</param>
    /// <param name="flushToDisk">When to force written events to the disk, for them to survive a power loss too:
    /// <see langword="null"/> (the default) never, leaving it to the operating system (the events survive the death of
    /// the process, not of the machine); a positive interval for a group commit that often (a power loss takes at
    /// most that much); <see cref="TimeSpan.Zero"/> for every event before <see cref="Enqueue"/> returns (the
    /// slowest).</param>
    /// <exception cref="ArgumentNullException">When <paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When <paramref name="path"/> is empty, or <paramref name="fullMode"/> is
    /// <see cref="QueueFullMode.DropOldest"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="sizeLimit"/>, <paramref name="fullMode"/>
    /// or <paramref name="flushToDisk"/> is out of range.</exception>
    /// <exception cref="IOException">When another queue, in this process or another, uses the spool, or its files
    /// cannot be made.</exception>
    public DurableLogEventQueue(string path, long sizeLimit = DefaultSizeLimit, QueueFullMode fullMode = QueueFullMode.Block,
        TimeSpan? flushToDisk = null)
    {
        SpoolSettings.Validate(path, sizeLimit, fullMode, flushToDisk, nameof(path), nameof(sizeLimit), nameof(fullMode), nameof(flushToDisk));
        Path = System.IO.Path.GetFullPath(path);
        FullMode = fullMode;
        _drops = new DropReporter(this, () => _failureListener);
        _hasSomething = HasSomething;
        var segmentSize = SpoolSettings.SegmentSize(sizeLimit);

        Directory.CreateDirectory(Path);
        _lock = SpoolLock.Acquire(Path);
        try
        {
            var opening = SpoolOpening.Open(Path, segmentSize);
            _checkpoint = opening.Checkpoint;
            _openingProblems = opening.Problems.Count > 0 ? opening.Problems : null;
            _flushEachEvent = flushToDisk == TimeSpan.Zero;
            _writer = new SpoolWriter(Path, opening.Live, opening.RecoveredBytes, segmentSize, sizeLimit,
                dropWhenFull: fullMode != QueueFullMode.Block, flushEachRecord: _flushEachEvent);
            var redeliveredBefore = _checkpoint.Read > _checkpoint.Acknowledged ? _checkpoint.Read : _checkpoint.Acknowledged;
            _reader = new SpoolReader(opening.First, opening.StartOffset, redeliveredBefore, ReportDamage);
            _prefaulter = new SpoolPrefaulter(_writer);
            _oldest = opening.First;

            // The names of the checkpoint and of segments made or deleted while opening, durable before any event is
            // accepted; each later segment's once its data is flushed (see SpoolSegment.Flush).
            if (flushToDisk is not null) SpoolFileSystem.SyncDirectory(Path);
            if (flushToDisk is { } interval && interval > TimeSpan.Zero) _flusher = new SpoolFlusher(_writer, opening.First, _checkpoint, interval);
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>The spool folder, as a full path.</summary>
    public string Path { get; }

    /// <summary>What a producer does when the spool is full.</summary>
    public QueueFullMode FullMode { get; }

    /// <summary>Unbounded in events (<see cref="int.MaxValue"/>): the spool is bounded in bytes.</summary>
    public int Capacity => int.MaxValue;

    /// <summary>Events this queue has written and the listener has not yet taken (events an earlier process left are
    /// not counted).</summary>
    public int Count => (int)Math.Min(int.MaxValue, Math.Max(0, Volatile.Read(ref _enqueued) - Volatile.Read(ref _dequeuedLive)));

    /// <inheritdoc/>
    public long DroppedCount => Volatile.Read(ref _dropped);

    /// <summary>The bytes the spool's segment files take on disk now.</summary>
    public long SizeOnDisk => _writer.LiveBytes;

    /// <inheritdoc/>
    public bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        if (logEvent is null) throw new ArgumentNullException(nameof(logEvent));
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(DurableLogEventQueue));

        var encoder = EventEncoder.Rent();
        try
        {
            switch (_writer.TryWrite(encoder, logEvent, cancellationToken))
            {
                case SpoolWrite.TooLarge:
                    Interlocked.Increment(ref _dropped);
                    _failureListener.Report(this, LoggingFailureKind.Permanent,
                        $"the event takes {encoder.Length:N0} bytes in the spool, more than a segment holds ({_writer.MaxPayload:N0}); it was dropped (a larger size limit makes larger segments)",
                        [logEvent]);
                    return false;
                case SpoolWrite.Full:
                    Interlocked.Increment(ref _dropped);
                    _drops.Add(logEvent, DropReason.QueueFull);
                    return false;
            }
        }
        finally
        {
            EventEncoder.Return(encoder);
        }

        // The interlocked increment is the full fence the wake-up handshake needs (see ListenerWake).
        Interlocked.Increment(ref _enqueued);
        _wake.AfterCommit();
        return true;
    }

    /// <inheritdoc/>
    public void EnqueueMarker(QueueMarker marker)
    {
        if (marker is null) throw new ArgumentNullException(nameof(marker));

        // Every event whose Enqueue returned before this call reserved its region in this segment or an earlier one
        // (a producer moves to a new segment only after it is published as the current one), below its reservation
        // counter; a counter past the capacity means the segment ends at its capacity.
        var segment = _writer.Current;
        var reserved = Math.Min(Interlocked.Read(ref segment.Reserved), segment.Capacity);
        _markers.Enqueue((marker, new SpoolPosition(segment.Number, reserved)));
        WakeListener();
    }

    /// <inheritdoc/>
    public int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (batch is null) throw new ArgumentNullException(nameof(batch));
        marker = null;
        lock (_readLock)
        {
            ReportOpeningProblems();
            if (_closed) return TakeMarker(out marker, force: true);

            var count = 0;
            var live = 0;
            while (count < batch.Length)
            {
                if (_markers.TryPeek(out var next) && _reader.Position >= next.At) break;
                if (_reader.TryRead(out var fromLive) is not { } logEvent) break;
                batch[count++] = logEvent;
                if (fromLive) live++;
            }

            _prefaulter.TouchAhead();
            if (count > 0)
            {
                _dequeuedLive += live;
                _unacknowledged.Enqueue(_reader.Position);
                _checkpoint.Update(_checkpoint.Acknowledged, _reader.Position);
                return count;
            }

            return TakeMarker(out marker, force: false);
        }
    }

    int TakeMarker(out QueueMarker? marker, bool force)
    {
        marker = null;
        if (_markers.TryPeek(out var next) && (force || _reader.Position >= next.At) && _markers.TryDequeue(out next))
        {
            marker = next.Marker;
        }

        return 0;
    }

    /// <summary>
    /// The oldest batch <see cref="TryDequeue"/> returned and not yet acknowledged is with the sinks: move the
    /// checkpoint past it and delete the segments it has passed. The listener acknowledges each batch before it takes
    /// the next, so this is the batch it has just written; a batch taken by a shutdown that gave up on the listener
    /// is never acknowledged, and stays in the spool.
    /// </summary>
    public void Acknowledge()
    {
        lock (_readLock)
        {
            if (_closed || _unacknowledged.Count == 0) return;
            var end = _unacknowledged.Dequeue();
            _checkpoint.Update(end, _checkpoint.Read);
            if (_flushEachEvent) _checkpoint.Flush();
            while (_oldest.Number < end.Segment && _oldest.Next is { } next)
            {
                var passed = _oldest;
                _oldest = next;
                passed.Delete();
                _writer.RoomFreed(passed.Capacity);
            }
        }
    }

    string IRetainingQueue.WhereUnwrittenEventsStay => $"they stay in the spool {Path}, and the next start over it writes them";

    /// <inheritdoc/>
    public bool WaitToDequeue(TimeSpan timeout) => _wake.Wait(timeout, _hasSomething, Volatile.Read(ref _dequeuedLive));

    bool HasSomething()
    {
        lock (_readLock)
        {
            if (_openingProblems is not null) return true;
            if (_markers.TryPeek(out var next) && (_closed || _reader.Position >= next.At)) return true;
            return !_closed && _reader.HasMore;
        }
    }

    void ReportOpeningProblems()
    {
        if (_openingProblems is not { } problems) return;
        _openingProblems = null;
        foreach (var problem in problems) ReportDamage(problem);
    }

    void ReportDamage(string what) =>
        _failureListener.Report(this, LoggingFailureKind.Permanent, $"spool {Path}: {what}", null);

    /// <inheritdoc/>
    public void SetFailureListener(ILoggingFailureListener failureListener) =>
        _failureListener = failureListener ?? throw new ArgumentNullException(nameof(failureListener));

    /// <summary>
    /// Flush the spool (when a flush policy is set), close its files and release its lock. Dispose the listener
    /// first: what it has not acknowledged stays in the spool for the next queue over it. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        _flusher?.Dispose();
        _writer.Close();
        lock (_readLock)
        {
            _closed = true;
            if (_flusher is not null || _flushEachEvent) _writer.FlushFrom(_oldest);
            _checkpoint.Close();
            for (var segment = _oldest; segment is not null; segment = segment.Next) segment.Retire();
        }

        _drops.ReportPending();
        _lock.Dispose();
        WakeListener();
    }

    QueueFullMode IBuiltInQueue.FullMode => FullMode;

    long IBuiltInQueue.EnqueuedCount => Volatile.Read(ref _enqueued);

    bool IBuiltInQueue.HasRunningListener => Volatile.Read(ref _runningListeners) > 0;

    void IBuiltInQueue.ListenerRunning(bool running)
    {
        if (running) Interlocked.Increment(ref _runningListeners);
        else Interlocked.Decrement(ref _runningListeners);
    }

    void IBuiltInQueue.CountDroppedByOwner() => Interlocked.Increment(ref _dropped);

    void IBuiltInQueue.ReportPendingDrops() => _drops.ReportPending();

    void IBuiltInQueue.WakeListener() => WakeListener();

    void WakeListener() => _wake.Wake();
}
