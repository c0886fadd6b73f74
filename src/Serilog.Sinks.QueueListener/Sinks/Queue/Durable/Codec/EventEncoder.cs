using System.Globalization;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Writes a <see cref="LogEvent"/> as the compact binary payload of a spool record (FORMAT.md, "Event payload"),
/// into a buffer of its own that the caller then copies into the spool. One encoder per thread
/// (<see cref="Rent"/>), so producers share nothing while they encode.
/// </summary>
/// <remarks>
/// Why binary and not compact JSON: the spool is read back only by this package (and by tools that follow
/// FORMAT.md); a length-prefixed form needs no escaping, no number formatting and no parsing of the template on the
/// way back, and comes out at about half the bytes of the same event as CLEF (measured by the benchmark's
/// <c>durable</c> mode). What does not round-trip: an exception becomes its text (<see cref="SpooledException"/>), a
/// scalar of a type other than the primitives, <see cref="string"/>, date and time types and <see cref="Guid"/>
/// becomes its invariant text, as it would in CLEF.
/// </remarks>
sealed class EventEncoder : PayloadBuffer
{
    [ThreadStatic] static EventEncoder? t_current;

    /// <summary>The most a value may nest; deeper values are written as their text (the logger's own destructuring
    /// depth, 10 by default, stays far below).</summary>
    const int MaxDepth = 64;

    /// <summary>The last template written and its encoded text (length and bytes): most events of a thread repeat
    /// the template of the one before.</summary>
    MessageTemplate? _lastTemplate;
    byte[] _lastTemplateBytes = [];

    /// <summary>Take the calling thread's encoder; give it back with <see cref="Return"/>. A call made while the
    /// thread's encoder is taken (an exception's <see cref="Exception.ToString"/> that logs, from inside
    /// <see cref="Encode"/>) gets an encoder of its own, so that the nested event never overwrites the outer one.</summary>
    public static EventEncoder Rent()
    {
        var encoder = t_current ?? new EventEncoder();
        t_current = null;
        return encoder;
    }

    /// <summary>Give back an encoder <see cref="Rent"/> gave, for the thread's next event.</summary>
    public static void Return(EventEncoder encoder)
    {
        encoder.Shrink();
        t_current = encoder;
    }

    public void Encode(LogEvent logEvent)
    {
        Clear();
        var timestamp = logEvent.Timestamp;
        WriteFixed64(timestamp.UtcTicks);
        WriteFixed16((short)(timestamp.Offset.Ticks / TimeSpan.TicksPerMinute));
        WriteByte((byte)logEvent.Level);

        var flags = EventFlags.None;
        if (logEvent.TraceId is not null) flags |= EventFlags.TraceId;
        if (logEvent.SpanId is not null) flags |= EventFlags.SpanId;
        if (logEvent.Exception is not null) flags |= EventFlags.Exception;
        WriteByte((byte)flags);
        if (logEvent.TraceId is { } traceId)
        {
            Ensure(16);
            traceId.CopyTo(new Span<byte>(_buffer, _length, 16));
            _length += 16;
        }

        if (logEvent.SpanId is { } spanId)
        {
            Ensure(8);
            spanId.CopyTo(new Span<byte>(_buffer, _length, 8));
            _length += 8;
        }

        WriteTemplate(logEvent.MessageTemplate);
        if (logEvent.Exception is { } exception) WriteString(ExceptionText(exception));

        var properties = logEvent.Properties;
        WriteVarint((ulong)properties.Count);
        foreach (var property in properties)
        {
            WriteString(property.Key);
            WriteValue(property.Value, 0);
        }
    }

    static string ExceptionText(Exception exception)
    {
        try
        {
            return exception.ToString();
        }
        catch (Exception ex)
        {
            // An exception whose ToString throws must not cost the event.
            return $"{exception.GetType()}: (its text could not be read: {ex.Message})";
        }
    }

    void WriteValue(LogEventPropertyValue? value, int depth)
    {
        if (depth > MaxDepth)
        {
            WriteByte((byte)ValueTag.Text);
            WriteString(value?.ToString() ?? string.Empty);
            return;
        }

        switch (value)
        {
            case ScalarValue scalar:
                WriteScalar(scalar.Value);
                break;
            case SequenceValue sequence:
                WriteByte((byte)ValueTag.Sequence);
                WriteVarint((ulong)sequence.Elements.Count);
                foreach (var element in sequence.Elements) WriteValue(element, depth + 1);
                break;
            case StructureValue structure:
                WriteByte((byte)ValueTag.Structure);
                WriteNullableString(structure.TypeTag);
                WriteVarint((ulong)structure.Properties.Count);
                foreach (var property in structure.Properties)
                {
                    WriteString(property.Name);
                    WriteValue(property.Value, depth + 1);
                }

                break;
            case DictionaryValue dictionary:
                WriteByte((byte)ValueTag.Dictionary);
                WriteVarint((ulong)dictionary.Elements.Count);
                foreach (var element in dictionary.Elements)
                {
                    WriteScalar(element.Key.Value);
                    WriteValue(element.Value, depth + 1);
                }

                break;
            default:
                // A value type of the application's own (or null): its text, as a sink would render it.
                WriteScalar(value?.ToString());
                break;
        }
    }

    void WriteScalar(object? value)
    {
        switch (value)
        {
            case null: WriteByte((byte)ValueTag.Null); break;
            case string s: WriteByte((byte)ValueTag.String); WriteString(s); break;
            case bool b: WriteByte((byte)(b ? ValueTag.True : ValueTag.False)); break;
            case int i: WriteByte((byte)ValueTag.Int32); WriteVarint(ZigZag(i)); break;
            case long l: WriteByte((byte)ValueTag.Int64); WriteVarint(ZigZag(l)); break;
            case ulong ul: WriteByte((byte)ValueTag.UInt64); WriteVarint(ul); break;
            case uint ui: WriteByte((byte)ValueTag.UInt32); WriteVarint(ui); break;
            case short sh: WriteByte((byte)ValueTag.Int16); WriteVarint(ZigZag(sh)); break;
            case ushort us: WriteByte((byte)ValueTag.UInt16); WriteVarint(us); break;
            case byte by: WriteByte((byte)ValueTag.Byte); WriteByte(by); break;
            case sbyte sb: WriteByte((byte)ValueTag.SByte); WriteByte((byte)sb); break;
            case char c: WriteByte((byte)ValueTag.Char); WriteFixed16((short)c); break;
            case double d: WriteByte((byte)ValueTag.Double); WriteFixed64(BitConverter.DoubleToInt64Bits(d)); break;
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
            case Guid g:
                WriteByte((byte)ValueTag.Guid);
                Ensure(16);
                System.Buffer.BlockCopy(g.ToByteArray(), 0, _buffer, _length, 16);
                _length += 16;
                break;
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
        var bits = decimal.GetBits(value);
        foreach (var part in bits) WriteFixed32(part);
    }

    static unsafe int SingleBits(float value) => *(int*)&value;

    static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    void WriteTemplate(MessageTemplate template)
    {
        if (!ReferenceEquals(template, _lastTemplate))
        {
            var start = _length;
            WriteString(template.Text);
            _lastTemplateBytes = new byte[_length - start];
            System.Buffer.BlockCopy(_buffer, start, _lastTemplateBytes, 0, _lastTemplateBytes.Length);
            _lastTemplate = template;
            return;
        }

        Ensure(_lastTemplateBytes.Length);
        System.Buffer.BlockCopy(_lastTemplateBytes, 0, _buffer, _length, _lastTemplateBytes.Length);
        _length += _lastTemplateBytes.Length;
    }

    void WriteNullableString(string? value)
    {
        if (value is null)
        {
            WriteByte(0);
            return;
        }

        WriteByte(1);
        WriteString(value);
    }
}
