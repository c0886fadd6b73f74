#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
#endif

namespace Serilog.Sinks.Queue;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF): the checksum of
/// every spool record. Chosen over CRC-32 (zlib's) because x64 (SSE 4.2) and ARM64 compute it in one instruction per
/// 8 bytes, which keeps the producer's cost per event at a few nanoseconds; it detects every burst error up to 32 bits
/// and a torn write with probability 1 - 2^-32. Other tools compute it with any CRC-32C library.
/// </summary>
static unsafe class Crc32C
{
    const uint Polynomial = 0x82F63B78;

    /// <summary>The byte-at-a-time table, for processors without the instruction (and netstandard2.0).</summary>
    static readonly uint[] Table = BuildTable();

    public static uint Compute(byte* data, int length) => ~Update(0xFFFFFFFF, data, length);

    public static uint Compute(byte[] data, int offset, int length)
    {
        fixed (byte* start = data)
        {
            return Compute(start + offset, length);
        }
    }

    static uint Update(uint crc, byte* data, int length)
    {
#if NET8_0_OR_GREATER
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, *(ulong*)data);
                data += 8;
                length -= 8;
            }

            crc = (uint)wide;
            while (length-- > 0) crc = Sse42.Crc32(crc, *data++);
            return crc;
        }

        if (Crc32.Arm64.IsSupported)
        {
            while (length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, *(ulong*)data);
                data += 8;
                length -= 8;
            }

            while (length-- > 0) crc = Crc32.ComputeCrc32C(crc, *data++);
            return crc;
        }
#endif
        return UpdateByTable(crc, data, length);
    }

    /// <summary>The checksum by the table alone, as a processor without the instruction computes it; for the tests
    /// that hold both paths to the same known values.</summary>
    internal static uint ComputeByTable(byte[] data, int offset, int length)
    {
        fixed (byte* start = data)
        {
            return ~UpdateByTable(0xFFFFFFFF, start + offset, length);
        }
    }

    static uint UpdateByTable(uint crc, byte* data, int length)
    {
        var table = Table;
        while (length-- > 0) crc = table[(crc ^ *data++) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++) entry = (entry & 1) != 0 ? (entry >> 1) ^ Polynomial : entry >> 1;
            table[i] = entry;
        }

        return table;
    }
}
