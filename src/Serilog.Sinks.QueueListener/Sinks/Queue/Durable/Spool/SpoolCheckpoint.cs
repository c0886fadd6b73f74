using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The spool's checkpoint file (FORMAT.md, "Checkpoint"): how far the sinks have the events (acknowledged), and how
/// far the listener has handed them to the sinks (read). Everything after the acknowledged position is written again
/// by the next start; what lies between the two positions may have reached a sink already, so those events carry the
/// re-delivered property.
/// </summary>
/// <remarks>
/// <para>Updated atomically with two slots rather than a temporary file and a rename: each update writes the slot the
/// last one did not (generation + 1, its checksum last in the slot), into a memory-mapped file, so an update costs no
/// system call. A process killed during an update leaves every store made so far in the page cache; the slot being
/// written may be torn, and then its checksum fails and the other slot, one update older, is used: at worst a
/// batch is written again, never skipped. With a flush policy, the file is flushed with the segments.</para>
/// <para>Written only by the thread that holds the queue's read lock (the listener, or a reclaim after a shutdown
/// that gave up on it).</para>
/// </remarks>
sealed unsafe class SpoolCheckpoint
{
    public const string FileName = "checkpoint";
    const int SlotSize = 64;
    const uint Magic = 0x54504B43; // "CKPT"
    const uint Version = 1;

    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _start;
    long _generation;

    /// <summary>1 once closed; updates after it (an abandoned listener's) do nothing.</summary>
    int _released;

    SpoolCheckpoint(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _start = start + view.PointerOffset;
    }

    public SpoolPosition Acknowledged { get; private set; }

    public SpoolPosition Read { get; private set; }

    /// <summary>Open or create the checkpoint in <paramref name="directory"/>.</summary>
    /// <param name="directory">The spool.</param>
    /// <param name="problem">Receives what was wrong with an existing checkpoint, or <see langword="null"/>.</param>
    /// <returns>The checkpoint; <see cref="Acknowledged"/> and <see cref="Read"/> are zero when no slot was
    /// valid.</returns>
    public static SpoolCheckpoint Open(string directory, out string? problem)
    {
        var path = Path.Combine(directory, FileName);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var existed = stream.Length > 0;
            if (stream.Length != 2 * SlotSize) stream.SetLength(2 * SlotSize);
            var file = MemoryMappedFile.CreateFromFile(stream, null, 2 * SlotSize, MemoryMappedFileAccess.ReadWrite,
                HandleInheritability.None, leaveOpen: false);
            var checkpoint = new SpoolCheckpoint(file, file.CreateViewAccessor(0, 2 * SlotSize));
            problem = checkpoint.Load(existed);
            return checkpoint;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    string? Load(bool existed)
    {
        var newer = false;
        for (var slot = 0; slot < 2; slot++)
        {
            var at = new ReadOnlySpan<byte>(_start + slot * SlotSize, SlotSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(at) != Magic) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(at.Slice(48)) != Crc32C.Compute(_start + slot * SlotSize, 48)) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(at.Slice(4)) != Version)
            {
                newer = true;
                continue;
            }

            var generation = BinaryPrimitives.ReadInt64LittleEndian(at.Slice(8));
            if (generation <= _generation) continue;
            _generation = generation;
            Acknowledged = new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(at.Slice(16)), BinaryPrimitives.ReadInt64LittleEndian(at.Slice(24)));
            Read = new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(at.Slice(32)), BinaryPrimitives.ReadInt64LittleEndian(at.Slice(40)));
        }

        if (_generation > 0) return null;
        if (newer) return "the checkpoint was written by a newer version of the spool format; every event in the spool is written again";
        return existed ? "the checkpoint is damaged (neither of its slots is valid); every event in the spool is written again" : null;
    }

    /// <summary>Record both positions in the next slot; the checksum, written last, makes it valid.</summary>
    public void Update(SpoolPosition acknowledged, SpoolPosition read)
    {
        if (Volatile.Read(ref _released) != 0) return;

        Acknowledged = acknowledged;
        Read = read;
        _generation++;
        var slot = _start + (_generation & 1) * SlotSize;
        var at = new Span<byte>(slot, SlotSize);
        BinaryPrimitives.WriteUInt32LittleEndian(at, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(at.Slice(4), Version);
        BinaryPrimitives.WriteInt64LittleEndian(at.Slice(8), _generation);
        BinaryPrimitives.WriteInt64LittleEndian(at.Slice(16), acknowledged.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(at.Slice(24), acknowledged.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(at.Slice(32), read.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(at.Slice(40), read.Offset);
        Volatile.Write(ref *(uint*)(slot + 48), Crc32C.Compute(slot, 48));
    }

    public void Flush()
    {
        if (Volatile.Read(ref _released) != 0) return;

        try
        {
            _view.Flush();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Flush and unmap; called under the queue's read lock, as every update is, so no update races it.</summary>
    public void Close()
    {
        if (Volatile.Read(ref _released) != 0) return;

        Flush();
        Volatile.Write(ref _released, 1);
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
