using System.Buffers.Binary;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The bytes of a record in a segment (FORMAT.md, "Records"), and the order they are written in, which is what makes
/// a record cut short by the end of the process detectable.
/// </summary>
/// <remarks>
/// <para>A record is a 16-byte header and its payload, padded with zeros to a multiple of 8 bytes:
/// <c>length</c> (u32, the payload's bytes), <c>check</c> (u32, <see cref="LengthCheck"/> of the length),
/// <c>crc</c> (u32, CRC-32C of <c>kind</c> and the payload), <c>kind</c> (u32, <see cref="EventKind"/>). All
/// little-endian.</para>
/// <para>Commit order: a producer owns its region from the moment it reserves it (an interlocked add on the
/// segment's reservation counter) and writes, in order, the check, crc, kind and payload, and last the length, with
/// a release store (<see cref="Volatile.Write(ref uint, uint)"/>). The segment file is zero-filled when created, so
/// until that last store the length reads 0: "nothing here yet". The consequences:</para>
/// <list type="bullet">
/// <item>In the process, the listener reads the length with an acquire load; non-zero means every other byte of the
/// record is in place (release/acquire pair), so it never reads a half-written record.</item>
/// <item>When the process dies (any signal), every store made so far is in the operating system's page cache, which
/// outlives the process: a record is whole, or its length is still 0. A reserved region with length 0 followed by
/// whole records is a hole left by a producer that was between its reservation and its commit; the reader finds the
/// next record by scanning (below) and reports the hole.</item>
/// <item>When the machine loses power, the pages that reached the disk are any subset, in any order (unless a flush
/// policy forced them out): a length may be on disk without its payload. The crc catches that, as it catches bytes
/// changed afterwards.</item>
/// </list>
/// <para>Finding the next record after damage: records start at multiples of 8, so the reader tries each following
/// multiple of 8 for a header whose check matches its length (a random header passes with probability 2^-32, which
/// keeps the scan linear) and whose crc matches its payload. Zeros between records are a hole; other bytes are
/// damage; zeros to the end of the segment are its unused tail.</para>
/// </remarks>
static unsafe class RecordLayout
{
    public const int HeaderSize = 16;

    /// <summary>The kind of a record holding one event's payload with every string in full: the only kind of format
    /// version 1, still read.</summary>
    public const uint EventKind = 1;

    /// <summary>The kind of a record holding one event's payload whose templates, property names and type tags go
    /// through its thread's string table (format version 2, see <see cref="WriterStringTable"/>): what this version
    /// writes.</summary>
    public const uint TabledEventKind = 2;

    /// <summary>The length of the record that ends a segment early: the rest of it is unused, and the spool goes on
    /// in the next segment.</summary>
    public const uint EndOfSegment = 0xFFFFFFFF;

    /// <summary>The check of a length: a fixed function of it that bytes of zeros or random bytes rarely match.</summary>
    public static uint LengthCheck(uint length) => (length * 0x9E3779B1u) ^ 0x4C4F4F50u;

    /// <summary>The bytes a record of <paramref name="payloadLength"/> takes in a segment.</summary>
    public static int Size(int payloadLength) => (HeaderSize + payloadLength + 7) & ~7;

    /// <summary>Write a record at <paramref name="at"/>, the length last; see the remarks.</summary>
    public static void Write(byte* at, uint kind, byte[] payload, int length)
    {
        fixed (byte* source = payload)
        {
            System.Buffer.MemoryCopy(source, at + HeaderSize, length, length);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(at + 12, 4), kind);
        var crc = Crc32C.Compute(at + 12, 4 + length);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(at + 4, 4), LengthCheck((uint)length));
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(at + 8, 4), crc);
        Commit(at, (uint)length);
    }

    /// <summary>Mark the end of a segment at <paramref name="at"/>: a header of its own with no payload.</summary>
    public static void WriteEndOfSegment(byte* at)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(at + 4, 4), LengthCheck(EndOfSegment));
        Commit(at, EndOfSegment);
    }

    /// <summary>The length of the record at <paramref name="at"/>, with an acquire load: 0 until it is committed.</summary>
    public static uint ReadLength(byte* at) => LittleEndian(Volatile.Read(ref *(uint*)at));

    /// <summary>Whether the header at <paramref name="at"/> is one the reader can trust the length of.</summary>
    public static bool HasValidCheck(byte* at, uint length) =>
        BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(at + 4, 4)) == LengthCheck(length);

    /// <summary>Whether the record at <paramref name="at"/>, of a checked <paramref name="length"/>, is whole.</summary>
    public static bool HasValidPayload(byte* at, uint length) =>
        BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(at + 8, 4)) == Crc32C.Compute(at + 12, 4 + (int)length);

    /// <summary>The record's kind, once its payload is known valid.</summary>
    public static uint Kind(byte* at) => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(at + 12, 4));

    static void Commit(byte* at, uint length) => Volatile.Write(ref *(uint*)at, LittleEndian(length));

    static uint LittleEndian(uint value) => BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
}
