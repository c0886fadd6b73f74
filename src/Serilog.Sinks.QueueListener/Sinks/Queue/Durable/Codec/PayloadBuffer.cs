using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The growable buffer an <see cref="EventEncoder"/> writes a payload into, and the primitives of the format
/// (FORMAT.md, "The event payload"): little-endian fixed-size numbers, unsigned LEB128 varints, and strings as their
/// UTF-8 byte count and bytes.
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
