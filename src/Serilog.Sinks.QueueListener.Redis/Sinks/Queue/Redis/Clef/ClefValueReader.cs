using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads the property values of a CLEF event, and the names they go by, from a <see cref="Utf8JsonReader"/> over the
/// event's line: the value half of <see cref="ClefReader"/>.
/// </summary>
/// <remarks>
/// Safe from any thread: the shared state is a <see cref="Utf8Cache{T}"/> of names and values that never change
/// (<see cref="ScalarValue"/> is immutable, so one <c>true</c> can stand in every event that carries one).
/// </remarks>
static class ClefValueReader
{
    /// <summary>Names repeat on every event of a call site; a busy collector sees a few hundred at most.</summary>
    const int NameCacheSlots = 512;

    static readonly Utf8Cache<string> Names = new(NameCacheSlots);
    static readonly ScalarValue True = new(true), False = new(false), Null = new(null);

    /// <summary>
    /// The text of the string token the reader is on (a property name, say), decoded as
    /// <see cref="Utf8JsonReader.GetString"/> does; text seen before is not decoded again.
    /// </summary>
    /// <remarks>Keyed by the token's bytes as written, escapes and all: the text is a function of them, so
    /// <c>"\u0041"</c> and <c>"A"</c> are two keys that both stand for "A".</remarks>
    public static string CachedString(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (Names.TryGet(raw, out var text)) return text;

        // Decoding throws on invalid UTF-8 before anything is cached, so a hit implies the same bytes decoded once.
        text = reader.GetString()!;
        Names.Add(raw, text);
        return text;
    }

    /// <summary>
    /// The value the reader is on, read to its end: an object with <c>$type</c> is a structure with that type tag;
    /// an object without one is a structure when every key is a valid property name and a dictionary otherwise (the
    /// formatter writes both alike); an array is a sequence; anything else a scalar.
    /// </summary>
    public static LogEventPropertyValue ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader);
            case JsonTokenType.StartArray:
                var elements = new List<LogEventPropertyValue>();
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    elements.Add(ReadValue(ref reader));
                }

                return new SequenceValue(elements);
            case JsonTokenType.String:
                return new ScalarValue(reader.GetString());
            case JsonTokenType.Number:
                return new ScalarValue(ReadNumber(ref reader));
            case JsonTokenType.True:
                return True;
            case JsonTokenType.False:
                return False;
            default:
                return Null;
        }
    }

    /// <summary>Advance to the next token. Inside an object or array of a whole line there always is one: the
    /// reader throws <see cref="JsonException"/> rather than run out.</summary>
    public static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType;
    }

    /// <summary>
    /// Which kind an object is depends on all of its members, so it is read twice: once to decide, from a copy of
    /// the reader (a struct: copying it is a bookmark), and once to build. Each pass decodes what the same pass over
    /// a parsed document decoded before, in the same order, so the same bad text fails the same way.
    /// </summary>
    static LogEventPropertyValue ReadObject(ref Utf8JsonReader reader)
    {
        var start = reader;
        string? typeTag = null;
        var isStructure = true;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = CachedString(ref reader);
            reader.Read();
            if (name == "$type" && reader.TokenType == JsonTokenType.String)
            {
                typeTag = reader.GetString();
            }
            else if (!LogEventProperty.IsValidName(name))
            {
                isStructure = false;
            }

            reader.Skip();
        }

        reader = start;
        if (typeTag is not null || isStructure)
        {
            var properties = new List<LogEventProperty>();
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                var name = CachedString(ref reader);
                reader.Read();
                if ((typeTag is not null && name == "$type") || !LogEventProperty.IsValidName(name))
                {
                    reader.Skip();
                    continue;
                }

                properties.Add(new LogEventProperty(name, ReadValue(ref reader)));
            }

            return new StructureValue(properties, typeTag);
        }

        var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>();
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var key = new ScalarValue(CachedString(ref reader));
            reader.Read();
            entries.Add(new KeyValuePair<ScalarValue, LogEventPropertyValue>(key, ReadValue(ref reader)));
        }

        return new DictionaryValue(entries);
    }

    /// <summary>An integer that fits is a <see cref="long"/>; other numbers are a <see cref="decimal"/> when written
    /// without an exponent and within its range (exact, as the formatter wrote it), else a <see cref="double"/>.</summary>
    static object ReadNumber(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out var integer)) return integer;

        // A number token is never escaped: its value span is the number as written.
        if (reader.ValueSpan.IndexOfAny((byte)'e', (byte)'E') < 0 && reader.TryGetDecimal(out var exact)) return exact;

        return reader.GetDouble();
    }
}
