using System.Buffers.Binary;
using System.Text;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reads the primitives of a spool record's payload (FORMAT.md, "The event payload"), each read checked against the
/// payload's length: the reverse of <see cref="PayloadBuffer"/>. A payload that ends early, or holds a number or a
/// tag this version does not know, throws <see cref="InvalidDataException"/>.
/// </summary>
abstract unsafe class PayloadReader
{
    protected static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    byte* _data;
    int _length;
    int _position;

    protected void Start(byte* data, int length)
    {
        _data = data;
        _length = length;
        _position = 0;
    }

    /// <summary>Whether the whole payload has been read.</summary>
    protected bool AtEnd => _position == _length;

    protected int Remaining => _length - _position;

    protected object? ReadScalar(ValueTag tag) => tag switch
    {
        ValueTag.Null => null,
        ValueTag.String or ValueTag.Text => ReadString(),
        ValueTag.False => false,
        ValueTag.True => true,
        ValueTag.Int32 => checked((int)UnZigZag(ReadVarint())),
        ValueTag.Int64 => UnZigZag(ReadVarint()),
        ValueTag.UInt64 => ReadVarint(),
        ValueTag.UInt32 => checked((uint)ReadVarint()),
        ValueTag.Int16 => checked((short)UnZigZag(ReadVarint())),
        ValueTag.UInt16 => checked((ushort)ReadVarint()),
        ValueTag.Byte => ReadByte(),
        ValueTag.SByte => (sbyte)ReadByte(),
        ValueTag.Char => (char)ReadFixed16(),
        ValueTag.Double => BitConverter.Int64BitsToDouble(ReadFixed64()),
        ValueTag.Single => SingleFromBits(ReadFixed32()),
        ValueTag.Decimal => new decimal([ReadFixed32(), ReadFixed32(), ReadFixed32(), ReadFixed32()]),
        ValueTag.DateTime => ReadDateTime(),
        ValueTag.DateTimeOffset => ReadDateTimeOffset(),
        ValueTag.TimeSpan => new TimeSpan(ReadFixed64()),
        ValueTag.Guid => ReadGuid(),
        _ => throw Invalid($"value tag {(byte)tag}"),
    };

    DateTime ReadDateTime()
    {
        var ticks = ReadFixed64();
        var kind = ReadByte();
        if (kind > (byte)DateTimeKind.Local) throw Invalid($"date kind {kind}");
        return new DateTime(ticks, (DateTimeKind)kind);
    }

    DateTimeOffset ReadDateTimeOffset()
    {
        var ticks = ReadFixed64();
        return new DateTimeOffset(ticks, TimeSpan.FromMinutes(ReadFixed16()));
    }

    Guid ReadGuid()
    {
#if NET8_0_OR_GREATER
        return new Guid(Take(16));
#else
        return new Guid(Take(16).ToArray());
#endif
    }

    static float SingleFromBits(int bits) => *(float*)&bits;

    static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>A count of items each taking at least one byte: more than the bytes left is damage, not a huge
    /// allocation.</summary>
    protected int ReadCount()
    {
        var count = ReadVarint();
        if (count > (ulong)(_length - _position)) throw Invalid($"a count of {count} with {_length - _position} bytes left");
        return (int)count;
    }

    /// <summary>A string that repeats from event to event: decoded once while it stays in
    /// <paramref name="strings"/>.</summary>
    protected string ReadString(Utf8Strings strings)
    {
        var length = ReadCount();
        if (length == 0) return string.Empty;
        var data = _data + _position;
        if (strings.Find(data, length, out var slot) is not { } text)
        {
            text = StrictUtf8.GetString(data, length);
            strings.Keep(slot, data, length, text);
        }

        _position += length;
        return text;
    }

    protected string ReadString()
    {
        var length = ReadCount();
        if (length == 0) return string.Empty;
        var text = StrictUtf8.GetString(_data + _position, length);
        _position += length;
        return text;
    }

    protected ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }

        throw Invalid("a variable-length number longer than 10 bytes");
    }

    protected byte ReadByte()
    {
        Need(1);
        return _data[_position++];
    }

    protected short ReadFixed16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    protected int ReadFixed32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    protected long ReadFixed64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    protected ReadOnlySpan<byte> Take(int count)
    {
        Need(count);
        var span = new ReadOnlySpan<byte>(_data + _position, count);
        _position += count;
        return span;
    }

    void Need(int count)
    {
        if (_length - _position < count) throw Invalid("the payload ends early");
    }

    protected static InvalidDataException Invalid(string what) => new("The record's payload is not an event: " + what + ".");
}
