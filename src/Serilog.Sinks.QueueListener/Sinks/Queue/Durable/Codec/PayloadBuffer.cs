using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The growable buffer an <see cref="EventEncoder"/> writes a payload into, and the primitives of the format
/// (FORMAT.md, "The event payload"): little-endian fixed-size numbers, unsigned LEB128 varints, and strings as their
/// UTF-8 byte count and bytes, and scalar values as their tag and bytes.
/// </summary>
abstract class PayloadBuffer
{
    protected byte[] _buffer = new byte[512];
    protected int _length;

    /// <summary>The payload written so far, in <c>Buffer[0..Length)</c>.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>The payload's length in bytes.</summary>
    public int Length => _length;

    protected void Clear() => _length = 0;

    /// <summary>Let go of a buffer grown for a large event, so that a thread does not keep it for ever.</summary>
    protected void Shrink()
    {
        if (_buffer.Length > 64 * 1024) _buffer = new byte[512];
    }

    protected void WriteString(string value)
    {
        // A string whose longest UTF-8 form fits a one-byte length is written straight after the length byte; a
        // longer one is measured first.
        if (value.Length <= 42)
        {
            Ensure(1 + value.Length * 3);
            var written = Encoding.UTF8.GetBytes(value, 0, value.Length, _buffer, _length + 1);
            _buffer[_length] = (byte)written;
            _length += 1 + written;
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)count);
        Ensure(count);
        Encoding.UTF8.GetBytes(value, 0, value.Length, _buffer, _length);
        _length += count;
    }

    protected void WriteScalar(object? value)
    {
        switch (value)
        {
            case null: WriteByte((byte)ValueTag.Null); break;
            case string s: WriteByte((byte)ValueTag.String); WriteString(s); break;
            case int i: WriteByte((byte)ValueTag.Int32); WriteVarint(ZigZag(i)); break;
            case bool b: WriteByte((byte)(b ? ValueTag.True : ValueTag.False)); break;
            case long l: WriteByte((byte)ValueTag.Int64); WriteVarint(ZigZag(l)); break;
            case double d: WriteByte((byte)ValueTag.Double); WriteFixed64(BitConverter.DoubleToInt64Bits(d)); break;
            case ulong ul: WriteByte((byte)ValueTag.UInt64); WriteVarint(ul); break;
            case uint ui: WriteByte((byte)ValueTag.UInt32); WriteVarint(ui); break;
            case short sh: WriteByte((byte)ValueTag.Int16); WriteVarint(ZigZag(sh)); break;
            case ushort us: WriteByte((byte)ValueTag.UInt16); WriteVarint(us); break;
            case byte by: WriteByte((byte)ValueTag.Byte); WriteByte(by); break;
            case sbyte sb: WriteByte((byte)ValueTag.SByte); WriteByte((byte)sb); break;
            case char c: WriteByte((byte)ValueTag.Char); WriteFixed16((short)c); break;
            case float f: WriteByte((byte)ValueTag.Single); WriteFixed32(SingleBits(f)); break;
            case decimal m: WriteDecimal(m); break;
            case DateTime dt:
                WriteByte((byte)ValueTag.DateTime);
                WriteFixed64(dt.Ticks);
                WriteByte((byte)dt.Kind);
                break;
            case DateTimeOffset dto:
                WriteByte((byte)ValueTag.DateTimeOffset);
                WriteFixed64(dto.Ticks);
                WriteFixed16((short)(dto.Offset.Ticks / TimeSpan.TicksPerMinute));
                break;
            case TimeSpan ts: WriteByte((byte)ValueTag.TimeSpan); WriteFixed64(ts.Ticks); break;
            case Guid g: WriteGuid(g); break;
            default:
                WriteByte((byte)ValueTag.Text);
                WriteString(InvariantText(value));
                break;
        }
    }

    static string InvariantText(object value)
    {
        try
        {
            return (value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString()) ?? string.Empty;
        }
        catch (Exception ex)
        {
            return $"{value.GetType()} (its text could not be read: {ex.Message})";
        }
    }

    void WriteDecimal(decimal value)
    {
        WriteByte((byte)ValueTag.Decimal);
#if NET8_0_OR_GREATER
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
#else
        // An array per decimal here: the struct's fields are private and undocumented, so they are not read in place.
        var bits = decimal.GetBits(value);
#endif
        foreach (var part in bits) WriteFixed32(part);
    }

    void WriteGuid(Guid value)
    {
        WriteByte((byte)ValueTag.Guid);
        Ensure(16);
#if NET8_0_OR_GREATER
        value.TryWriteBytes(new Span<byte>(_buffer, _length, 16));
#else
        if (BitConverter.IsLittleEndian)
        {
            // Guid's fields in memory are ToByteArray's bytes on a little-endian machine: copied without the array,
            // by a write that needs no alignment.
            System.Runtime.InteropServices.MemoryMarshal.Write(new Span<byte>(_buffer, _length, 16), ref value);
        }
        else
        {
            System.Buffer.BlockCopy(value.ToByteArray(), 0, _buffer, _length, 16);
        }
#endif
        _length += 16;
    }

    static unsafe int SingleBits(float value) => *(int*)&value;

    static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    protected void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _buffer[_length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_length++] = (byte)value;
    }

    protected void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    protected void WriteFixed16(short value)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16LittleEndian(new Span<byte>(_buffer, _length, 2), value);
        _length += 2;
    }

    protected void WriteFixed32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(_buffer, _length, 4), value);
        _length += 4;
    }

    protected void WriteFixed64(long value)
    {
        Ensure(8);
        BinaryPrimitives.WriteInt64LittleEndian(new Span<byte>(_buffer, _length, 8), value);
        _length += 8;
    }

    protected void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;

        var grown = new byte[Math.Max(_buffer.Length * 2, _length + more)];
        System.Buffer.BlockCopy(_buffer, 0, grown, 0, _length);
        _buffer = grown;
        Debug.Assert(_length + more <= _buffer.Length);
    }
}
