using System.Buffers.Binary;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The first 64 bytes of a segment file (FORMAT.md, "Segments"): magic <c>SLQSPOOL</c>, format version (u32),
/// header size (u32, 64), segment number (u64), capacity (u64, the file's length when created), created (i64, UTC
/// ticks), CRC-32C of the 40 bytes before it (u32), then zeros.
/// </summary>
static unsafe class SegmentHeader
{
    public const int Size = 64;

    /// <summary>The format this version writes, and the newest it reads: 2, whose records may be of
    /// <see cref="RecordLayout.TabledEventKind"/>.</summary>
    public const uint FormatVersion = 2;

    /// <summary>The oldest format this version reads: 1, whose records are all of
    /// <see cref="RecordLayout.EventKind"/>.</summary>
    public const uint OldestFormatVersion = 1;

    static readonly byte[] Magic = "SLQSPOOL"u8.ToArray();

    public static void Write(byte* at, long number, long capacity)
    {
        var header = new Span<byte>(at, Size);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(8), FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(12), Size);
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(16), number);
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(24), capacity);
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(32), DateTime.UtcNow.Ticks);
        BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(40), Crc32C.Compute(at, 40));
    }

    /// <summary>Whether <paramref name="start"/>, a file's first bytes, begins with the magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) => start.Length >= 8 && start.Slice(0, 8).SequenceEqual(Magic);

    /// <summary>What the header at <paramref name="at"/> says about the file, of <paramref name="fileLength"/>
    /// bytes.</summary>
    /// <param name="at">The file's first byte.</param>
    /// <param name="fileLength">The file's length, at least <see cref="Size"/>.</param>
    /// <param name="version">The format version the header gives, when it has the magic.</param>
    public static SegmentHeaderState Read(byte* at, long fileLength, out uint version)
    {
        var header = new ReadOnlySpan<byte>(at, Size);
        version = 0;
        if (!header.Slice(0, 8).SequenceEqual(Magic)) return SegmentHeaderState.Foreign;
        version = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(8));
        var crcMatches = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(40)) == Crc32C.Compute(at, 40);
        if (crcMatches && version > FormatVersion) return SegmentHeaderState.Newer;
        if (!crcMatches || version < OldestFormatVersion) return SegmentHeaderState.Damaged;
        var capacity = BinaryPrimitives.ReadInt64LittleEndian(header.Slice(24));
        return capacity == fileLength ? SegmentHeaderState.Valid : SegmentHeaderState.Truncated;
    }
}
