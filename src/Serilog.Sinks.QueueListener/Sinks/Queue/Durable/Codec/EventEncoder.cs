using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Writes a <see cref="LogEvent"/> as the compact binary payload of a spool record (FORMAT.md, "The event payload"),
/// into a buffer of its own that the caller then copies into the spool. One encoder per thread
/// (<see cref="Rent"/>), so producers share nothing while they encode.
/// </summary>
/// <remarks>
/// <para>Why binary and not compact JSON: the spool is read back only by this package (and by tools that follow
/// FORMAT.md); a length-prefixed form needs no escaping, no number formatting and no parsing of the template on the
/// way back, and comes out at well under half the bytes of the same event as CLEF (measured by the benchmark's
/// <c>durable</c> mode). What does not round-trip: an exception becomes its text (<see cref="SpooledException"/>), a
/// scalar of a type other than the primitives, <see cref="string"/>, date and time types and <see cref="Guid"/>
/// becomes its invariant text, as it would in CLEF.</para>
/// <para>A record is encoded for the segment it is meant for: the template, property names and type tags go through
/// the thread's <see cref="WriterStringTable"/> for that segment, so that most records carry an id of a byte for each
/// instead of the text. Should the record land in another segment (a rollover between the encoding and the
/// reservation), the writer encodes it again for that one (<see cref="SpoolWriter"/>).</para>
/// </remarks>
sealed class EventEncoder : PayloadBuffer
{
    [ThreadStatic] static EventEncoder? t_current;

    /// <summary>The most a value may nest; deeper values are written as their text (the logger's own destructuring
    /// depth, 10 by default, stays far below).</summary>
    const int MaxDepth = 64;

    readonly WriterStringTable _strings = new();

    /// <summary>The event whose exception's text <see cref="_exceptionText"/> is: an event encoded again for another
    /// segment does not call <see cref="Exception.ToString"/> twice (it may be slow, or log).</summary>
    LogEvent? _exceptionOf;
    string? _exceptionText;

    /// <summary>The segment the buffer's record was encoded for; <see langword="null"/> when it holds none.</summary>
    public SpoolSegment? EncodedFor { get; private set; }

    /// <summary>Take the calling thread's encoder; give it back with <see cref="Return"/>. A call made while the
    /// thread's encoder is taken (an exception's <see cref="Exception.ToString"/> that logs, from inside
    /// <see cref="Encode"/>) gets an encoder of its own, so that the nested event never overwrites the outer one; its
    /// string table is its own too, opened by its own first record.</summary>
    public static EventEncoder Rent()
    {
        var encoder = t_current ?? new EventEncoder();
        t_current = null;
        return encoder;
    }

    /// <summary>Give back an encoder <see cref="Rent"/> gave, for the thread's next event. A record not committed
    /// takes its string definitions back.</summary>
    public static void Return(EventEncoder encoder)
    {
        encoder.Abandon();
        encoder.Shrink();
        encoder._exceptionOf = null;
        encoder._exceptionText = null;
        t_current = encoder;
    }

    /// <summary>Encode <paramref name="logEvent"/> as a record of <see cref="RecordLayout.TabledEventKind"/> for
    /// <paramref name="segment"/>, taking back the definitions of a record encoded before and not committed.</summary>
    public void Encode(LogEvent logEvent, SpoolSegment segment)
    {
        Abandon();
        Clear();
        EncodedFor = segment;
        WriteVarint(_strings.Begin(segment));
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

        WriteTabled(logEvent.MessageTemplate.Text);
        if (logEvent.Exception is { } exception)
        {
            if (!ReferenceEquals(_exceptionOf, logEvent))
            {
                _exceptionText = ExceptionText(exception);
                _exceptionOf = logEvent;
            }

            WriteString(_exceptionText!);
        }

        var properties = logEvent.Properties;
        WriteVarint((ulong)properties.Count);

        // LogEvent keeps its properties in a Dictionary: enumerated as such, no enumerator is boxed per event.
        if (properties is Dictionary<string, LogEventPropertyValue> dictionary)
        {
            foreach (var property in dictionary) WriteProperty(property.Key, property.Value);
        }
        else
        {
            foreach (var property in properties) WriteProperty(property.Key, property.Value);
        }
    }

    /// <summary>The record was committed at <paramref name="offset"/> of the segment it was encoded for.</summary>
    public void Committed(int offset)
    {
        _strings.Committed(offset);
        EncodedFor = null;
    }

    /// <summary>The record will not be written: take back the string definitions it made.</summary>
    public void Abandon()
    {
        if (EncodedFor is null) return;
        _strings.Abandon();
        EncodedFor = null;
    }

    void WriteProperty(string name, LogEventPropertyValue value)
    {
        WriteTabled(name);
        WriteValue(value, 0);
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
                var elements = sequence.Elements;
                WriteVarint((ulong)elements.Count);
                for (var i = 0; i < elements.Count; i++) WriteValue(elements[i], depth + 1);
                break;
            case StructureValue structure:
                WriteByte((byte)ValueTag.Structure);
                if (structure.TypeTag is { } typeTag)
                {
                    WriteByte(1);
                    WriteTabled(typeTag);
                }
                else
                {
                    WriteByte(0);
                }

                var members = structure.Properties;
                WriteVarint((ulong)members.Count);
                for (var i = 0; i < members.Count; i++)
                {
                    WriteTabled(members[i].Name);
                    WriteValue(members[i].Value, depth + 1);
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

    /// <summary>A string through the thread's table: its id when the table has it, otherwise the string, defining an
    /// id when the table has room.</summary>
    void WriteTabled(string value)
    {
        var id = _strings.Find(value, out var defineAs);
        if (id >= 0)
        {
            WriteVarint(TabledString.Reference(id));
            return;
        }

        WriteVarint(defineAs >= 0 ? TabledString.Definition(defineAs) : TabledString.Untabled);
        WriteString(value);
    }
}
