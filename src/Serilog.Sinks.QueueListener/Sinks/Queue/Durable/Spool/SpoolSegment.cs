using System.Globalization;
using System.IO.MemoryMappedFiles;

namespace Serilog.Sinks.Queue;

/// <summary>
/// One segment file of a spool, mapped into memory: producers write records into it at reserved offsets and the
/// listener reads them from the same mapping, with no system call per event.
/// </summary>
/// <remarks>
/// <para>A segment this process creates is live: it is zero-filled, its blocks allocated before it is mapped (so that
/// a full disk fails the creation, with an exception the producer reports, rather than a store into the mapping,
/// with SIGBUS: see <see cref="SpoolFileSystem"/>), and written only by this process. A segment
/// found when the spool is opened is recovered: mapped read-only and read with every record checked.</para>
/// <para>Unmapping: the listener closes a segment (<see cref="Close"/>) once it has read past it and the checkpoint
/// has moved past it, when no producer can still be writing to it (the listener only passes a record once it is
/// committed, and the last record of a segment is committed before any producer moves on). A segment still in use
/// when the queue is disposed is only retired (<see cref="Retire"/>): a producer that raced the disposal may be
/// writing into it, so the mapping is left to the garbage collector, which unmaps it once no thread holds the
/// segment.</para>
/// </remarks>
sealed unsafe class SpoolSegment
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _start;

    /// <summary>1 once the mapping has been closed or retired; interlocked, so that it is released once.</summary>
    int _released;

    /// <summary>Whether the folder must still be flushed for this segment's entry in it to be durable: set for a live
    /// segment, cleared under <see cref="_entrySync"/> by the first <see cref="Flush"/>, which flushes the folder
    /// after the data, so that no flush returns before both are on the disk.</summary>
    volatile bool _entryPending;

    readonly object _entrySync = new();

    /// <summary>
    /// The reservation counter: the offset of the next free byte, as producers reserve regions with an interlocked
    /// add. Passes <see cref="Capacity"/> once the segment is full (every producer that overflows adds too); only the
    /// one whose region straddles the capacity writes the end marker (see <see cref="SpoolWriter"/>). Written only by
    /// producers; read by <see cref="DurableLogEventQueue.EnqueueMarker"/>.
    /// </summary>
    public long Reserved;

    /// <summary>The segment after this one, set once with a release store by the producer that rolls over, read by
    /// producers that overflowed and by the listener when it reaches the end.</summary>
    public volatile SpoolSegment? Next;

    SpoolSegment(string path, long number, int capacity, MemoryMappedFile file, MemoryMappedViewAccessor view, bool recovered)
    {
        Path = path;
        Number = number;
        Capacity = capacity;
        _file = file;
        _view = view;
        IsRecovered = recovered;
        _entryPending = !recovered;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _start = start + view.PointerOffset;
        Reserved = SegmentHeader.Size;
    }

    public string Path { get; }

    public long Number { get; }

    /// <summary>The bytes the segment holds, header included; records end at or before it.</summary>
    public int Capacity { get; }

    /// <summary>Found when the spool was opened, written by an earlier process.</summary>
    public bool IsRecovered { get; }

    /// <summary>The segment's first byte; valid until <see cref="Close"/>.</summary>
    public byte* Start => _start;

    public static string FileName(long number) => number.ToString("D16", CultureInfo.InvariantCulture) + ".seg";

    public static bool TryParseFileName(string fileName, out long number)
    {
        number = 0;
        if (fileName.Length != 20 || !fileName.EndsWith(".seg", StringComparison.Ordinal)) return false;
        for (var i = 0; i < 16; i++)
        {
            if (fileName[i] is < '0' or > '9') return false;
            number = number * 10 + (fileName[i] - '0');
        }

        return true;
    }

    /// <summary>Create the file of a new live segment, zero-filled, with its header written.</summary>
    public static SpoolSegment Create(string directory, long number, int capacity)
    {
        var path = System.IO.Path.Combine(directory, FileName(number));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            SpoolFileSystem.Allocate(stream, capacity);
            var file = MemoryMappedFile.CreateFromFile(stream, null, capacity, MemoryMappedFileAccess.ReadWrite,
                HandleInheritability.None, leaveOpen: false);
            var segment = new SpoolSegment(path, number, capacity, file, file.CreateViewAccessor(0, capacity), recovered: false);
            SegmentHeader.Write(segment.Start, number, capacity);
            return segment;
        }
        catch
        {
            stream.Dispose();
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Map an existing segment file read-only; <paramref name="length"/> is its length, at least a
    /// header's.</summary>
    public static SpoolSegment OpenRecovered(string path, long number, long length)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        try
        {
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: false);
            var capacity = (int)Math.Min(length, int.MaxValue) & ~7;
            return new SpoolSegment(path, number, capacity, file, file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read), recovered: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Write the segment's dirty pages to the disk and wait (msync), and the first time, the folder's entry
    /// of the new file (fsync of the folder); a closed segment has nothing left to write that anyone needs.</summary>
    /// <exception cref="IOException">When the disk refuses.</exception>
    public void Flush()
    {
        if (Volatile.Read(ref _released) != 0) return;

        try
        {
            _view.Flush();
        }
        catch (ObjectDisposedException)
        {
            // Closed meanwhile by the listener, which had read and acknowledged everything in it.
            return;
        }

        if (_entryPending) SyncEntry();
    }

    void SyncEntry()
    {
        lock (_entrySync)
        {
            if (!_entryPending) return;
            SpoolFileSystem.SyncDirectory(System.IO.Path.GetDirectoryName(Path)!);
            _entryPending = false;
        }
    }

    /// <summary>Unmap the segment now; only when no thread can touch its bytes again (see the remarks).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>Give up this queue's hold on the mapping, leaving the unmapping to the garbage collector (see the
    /// remarks).</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
    }

    /// <summary>Close the segment and delete its file. The folder is not flushed after it: a file whose deletion a
    /// power loss undoes lies before the checkpoint, which the next opening deletes again, or, should the power loss
    /// also undo the checkpoint's move, holds events the sinks have, written again: at least once either way.</summary>
    public void Delete()
    {
        Close();
        TryDelete(Path);
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which deletes what the checkpoint has passed.
        }
    }
}
