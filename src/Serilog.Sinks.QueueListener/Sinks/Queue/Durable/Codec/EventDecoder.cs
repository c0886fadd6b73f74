using System.Diagnostics;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reads a spool record's payload (FORMAT.md, "The event payload") back into a <see cref="LogEvent"/>: the reverse of
/// <see cref="EventEncoder"/>, for records of either kind (<see cref="RecordLayout.EventKind"/>, every string in
/// full; <see cref="RecordLayout.TabledEventKind"/>, through the segment's string tables).
/// </summary>
/// <remarks>
/// Used by one thread at a time (the queue's read lock), so its template cache is a plain dictionary: a template is
/// parsed once per distinct text, and the cache is cleared when it passes <see cref="TemplateCacheLimit"/> (an
/// application that logs rendered text as templates would otherwise grow it without end); a string table keeps the
/// parsed template of each text it holds, so a record that refers to one costs no lookup at all. The event is
/// assembled around a dictionary made here (<see cref="LogEvent.UnstableAssembleFromParts"/>) rather than from a list
/// of properties the constructor would copy. Every read is checked against the payload's length: a payload that ends
/// early, holds an unknown tag or refers to a string no record read defined throws
/// <see cref="InvalidDataException"/>, which the queue reports with the record's position.
/// </remarks>
sealed unsafe class EventDecoder : PayloadReader
{
    const int TemplateCacheLimit = 1000;

    /// <summary>The property a re-delivered event carries: see <see cref="DurableLogEventQueue.RedeliveredPropertyName"/>.</summary>
    static readonly ScalarValue Redelivered = new(true);

    readonly MessageTemplateParser _parser = new();
    readonly Func<string, MessageTemplate> _parse;
    readonly Dictionary<string, MessageTemplate> _templates = new(StringComparer.Ordinal);

    // For records of the first kind, whose strings are all in full.
    readonly Utf8Strings _names = new();
    readonly Utf8Strings _templateTexts = new();

    /// <summary>The table the record being read uses; <see langword="null"/> for one that uses none.</summary>
    SegmentStringTables.Table? _table;

    /// <summary>The offset of the table's opening record, for the message of a reference that cannot be read.</summary>
    int _tableOffset;

    bool _tabled;

    public EventDecoder() => _parse = ParsedTemplate;

    /// <param name="data">The payload's first byte.</param>
    /// <param name="length">The payload's length.</param>
    /// <param name="kind">The record's kind: <see cref="RecordLayout.EventKind"/> or
    /// <see cref="RecordLayout.TabledEventKind"/>.</param>
    /// <param name="offset">The record's offset in its segment: the name of the table it opens.</param>
    /// <param name="tables">The string tables of the record's segment, which the record may add to.</param>
    /// <param name="redelivered">Add <see cref="DurableLogEventQueue.RedeliveredPropertyName"/> to the event's
    /// properties.</param>
    /// <exception cref="InvalidDataException">When the payload is not an event this version can read.</exception>
    public LogEvent Decode(byte* data, int length, uint kind, int offset, SegmentStringTables tables, bool redelivered)
    {
        Start(data, length);
        try
        {
            _tabled = kind == RecordLayout.TabledEventKind;
            _table = _tabled ? TableOf(offset, tables) : null;
            return DecodeEvent(redelivered);
        }
        catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException or OverflowException)
        {
            throw new InvalidDataException("The record's payload is not an event: " + ex.Message, ex);
        }
    }

    SegmentStringTables.Table? TableOf(int offset, SegmentStringTables tables)
    {
        var field = ReadVarint();
        if (field == TabledString.NoTable) return null;
        if (field == TabledString.OpensTable)
        {
            _tableOffset = offset;
            return tables.Open(offset);
        }

        if (field > int.MaxValue / 8) throw Invalid($"a string table at offset {field}×8");
        _tableOffset = (int)field * 8;
        return tables.Find(_tableOffset)
            ?? throw Invalid($"it refers to the string table opened by the record at offset {_tableOffset}, which was not read (lost or damaged)");
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

        var traceId = (flags & EventFlags.TraceId) != 0 ? ActivityTraceId.CreateFromBytes(Take(16)) : default;
        var spanId = (flags & EventFlags.SpanId) != 0 ? ActivitySpanId.CreateFromBytes(Take(8)) : default;
        var template = ReadTemplate();
        var exception = (flags & EventFlags.Exception) != 0 ? new SpooledException(ReadString()) : null;
        var count = ReadCount();
        var properties = new Dictionary<string, LogEventPropertyValue>(count + (redelivered ? 1 : 0));
        for (var i = 0; i < count; i++)
        {
            var name = ReadName();
            properties[name] = ReadValue(0);
        }

        if (redelivered) properties[DurableLogEventQueue.RedeliveredPropertyName] = Redelivered;
        if (!AtEnd) throw Invalid($"{Remaining} bytes after the event");
        return LogEvent.UnstableAssembleFromParts(timestamp, (LogEventLevel)level, exception, template, properties, traceId, spanId);
    }

    MessageTemplate ReadTemplate()
    {
        if (!_tabled) return ParsedTemplate(ReadString(_templateTexts));
        var r = ReadVarint();
        if (TabledString.IsReference(r))
        {
            var id = TableId(r);
            return _table!.Template(id, Referenced(id), _parse);
        }

        return ParsedTemplate(ReadTabled(r));
    }

    /// <summary>A property name, or a structure's: tabled in records of the second kind.</summary>
    string ReadName() => _tabled ? ReadTabled(ReadVarint()) : ReadString(_names);

    /// <summary>The string a tabled string's varint <paramref name="r"/> starts (see <see cref="TabledString"/>).</summary>
    string ReadTabled(ulong r)
    {
        if (r == TabledString.Untabled) return ReadString();
        if (!TabledString.IsReference(r) && !TabledString.IsDefinition(r)) throw Invalid($"a string form {r}");
        var id = TableId(r);
        if (TabledString.IsReference(r)) return Referenced(id);

        var text = ReadString(_templateTexts);
        _table!.Define(id, text);
        return text;
    }

    int TableId(ulong r)
    {
        if (_table is null) throw Invalid("a string of a table in a record that uses none");
        var id = TabledString.Id(r);
        if (id >= WriterStringTable.MaxStrings) throw Invalid($"string {id} of a table that holds at most {WriterStringTable.MaxStrings}");
        return (int)id;
    }

    string Referenced(int id) => _table!.Text(id)
        ?? throw Invalid($"it refers to string {id} of the table opened by the record at offset {_tableOffset}, which no record read defined (lost or damaged)");

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
                    var typeTag = ReadByte() == 0 ? null : _tabled ? ReadTabled(ReadVarint()) : ReadString();
                    var count = ReadCount();
                    var properties = new LogEventProperty[count];
                    for (var i = 0; i < count; i++)
                    {
                        var name = ReadName();
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
}
