using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reads a spool record's payload (FORMAT.md, "Event payload") back into a <see cref="LogEvent"/>: the reverse of
/// <see cref="EventEncoder"/>.
/// </summary>
/// <remarks>
/// Used by one thread at a time (the queue's read lock), so its template cache is a plain dictionary: a template is
/// parsed once per distinct text, and the cache is cleared when it passes <see cref="TemplateCacheLimit"/> (an
/// application that logs rendered text as templates would otherwise grow it without end). Every read is checked
/// against the payload's length: a payload that ends early or holds an unknown tag throws
/// <see cref="InvalidDataException"/>, which the queue reports with the record's position.
/// </remarks>
sealed unsafe class EventDecoder
{
    const int TemplateCacheLimit = 1000;

    /// <summary>The property a re-delivered event carries: see <see cref="DurableLogEventQueue.RedeliveredPropertyName"/>.</summary>
    static readonly LogEventProperty Redelivered = new(DurableLogEventQueue.RedeliveredPropertyName, new ScalarValue(true));

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    readonly MessageTemplateParser _parser = new();
    readonly Dictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);
    readonly Utf8Strings _names = new();
    readonly Utf8Strings _templateTexts = new();

    /// <summary>The last template read, by its text's identity (texts come from <see cref="_templateTexts"/>, so a
    /// template that repeats is the same string): most events repeat the template of the one before.</summary>
    string? _lastTemplateText;
    MessageTemplate? _lastTemplate;

    byte* _data;
    int _length;
    int _position;

    /// <param name="data">The payload's first byte.</param>
    /// <param name="length">The payload's length.</param>
    /// <param name="redelivered">Add <see cref="Redelivered"/> to the event's properties.</param>
    /// <exception cref="InvalidDataException">When the payload is not an event this version can read.</exception>
    public LogEvent Decode(byte* data, int length, bool redelivered)
    {
        _data = data;
        _length = length;
        _position = 0;
        try
        {
            return DecodeEvent(redelivered);
        }
        catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException or OverflowException)
        {
            throw new InvalidDataException("The record's payload is not an event: " + ex.Message, ex);
        }
    }

    LogEvent DecodeEvent(bool redelivered)
    {
        var utcTicks = ReadFixed64();
        var offset = TimeSpan.FromMinutes(ReadFixed16());
        var timestamp = new DateTimeOffset(utcTicks + offset.Ticks, offset);
        var level = ReadByte();
        if (level > (byte)LogEventLevel.Fatal) throw Invalid($"level {level}");
        var flags = (EventFlags)ReadByte();
        if ((flags & ~(EventFlags.TraceId | EventFlags.SpanId | EventFlags.Exception)) != 0) throw Invalid($"flags {flags}");

        ActivityTraceId? traceId = null;
        ActivitySpanId? spanId = null;
        if ((flags & EventFlags.TraceId) != 0) traceId = ActivityTraceId.CreateFromBytes(Take(16));
        if ((flags & EventFlags.SpanId) != 0) spanId = ActivitySpanId.CreateFromBytes(Take(8));

        var template = Template(ReadString(_templateTexts));
        var exception = (flags & EventFlags.Exception) != 0 ? new SpooledException(ReadString()) : null;
        var count = ReadCount();
        var properties = new List<LogEventProperty>(count + (redelivered ? 1 : 0));
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(_names);
            properties.Add(new LogEventProperty(name, ReadValue(0)));
        }

        if (redelivered) properties.Add(Redelivered);
        if (_position != _length) throw Invalid($"{_length - _position} bytes after the event");
        return new LogEvent(timestamp, (LogEventLevel)level, exception, template, properties, traceId ?? default, spanId ?? default);
    }

    MessageTemplate Template(string text)
    {
        if (ReferenceEquals(text, _lastTemplateText)) return _lastTemplate!;
        _lastTemplateText = text;
        _lastTemplate = ParsedTemplate(text);
        return _lastTemplate;
    }

    MessageTemplate ParsedTemplate(string text)
    {
        if (_templates.TryGetValue(text, out var template)) return template;
        if (_templates.Count >= TemplateCacheLimit) _templates.Clear();
        template = _parser.Parse(text);
        _templates[text] = template;
        return template;
    }

    LogEventPropertyValue ReadValue(int depth)
    {
        var tag = (ValueTag)ReadByte();
        switch (tag)
        {
            case ValueTag.Sequence:
                {
                    var count = ReadCount();
                    var elements = new LogEventPropertyValue[count];
                    for (var i = 0; i < count; i++) elements[i] = ReadValue(depth + 1);
                    return new SequenceValue(elements);
                }
            case ValueTag.Structure:
                {
                    var typeTag = ReadByte() == 0 ? null : ReadString();
                    var count = ReadCount();
                    var properties = new LogEventProperty[count];
                    for (var i = 0; i < count; i++)
                    {
                        var name = ReadString(_names);
                        properties[i] = new LogEventProperty(name, ReadValue(depth + 1));
                    }

                    return new StructureValue(properties, typeTag);
                }
            case ValueTag.Dictionary:
                {
                    var count = ReadCount();
                    var elements = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(count);
                    for (var i = 0; i < count; i++)
                    {
                        var key = new ScalarValue(ReadScalar((ValueTag)ReadByte()));
                        elements.Add(new KeyValuePair<ScalarValue, LogEventPropertyValue>(key, ReadValue(depth + 1)));
                    }

                    return new DictionaryValue(elements);
                }
            default:
                return new ScalarValue(ReadScalar(tag));
        }
    }

    object? ReadScalar(ValueTag tag) => tag switch
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
        ValueTag.Guid => new Guid(Take(16).ToArray()),
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

    static float SingleFromBits(int bits) => *(float*)&bits;

    static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>A count of items each taking at least one byte: more than the bytes left is damage, not a huge
    /// allocation.</summary>
    int ReadCount()
    {
        var count = ReadVarint();
        if (count > (ulong)(_length - _position)) throw Invalid($"a count of {count} with {_length - _position} bytes left");
        return (int)count;
    }

    /// <summary>A string that repeats from event to event: decoded once while it stays in
    /// <paramref name="strings"/>.</summary>
    string ReadString(Utf8Strings strings)
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

    string ReadString()
    {
        var length = ReadCount();
        if (length == 0) return string.Empty;
        var text = StrictUtf8.GetString(_data + _position, length);
        _position += length;
        return text;
    }

    ulong ReadVarint()
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

    byte ReadByte()
    {
        Need(1);
        return _data[_position++];
    }

    short ReadFixed16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    int ReadFixed32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    long ReadFixed64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    ReadOnlySpan<byte> Take(int count)
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

    static InvalidDataException Invalid(string what) => new("The record's payload is not an event: " + what + ".");
}
