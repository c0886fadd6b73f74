using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads compact JSON (CLEF), as Serilog.Formatting.Compact's <c>CompactJsonFormatter</c> writes it, back into
/// <see cref="LogEvent"/>s. See FORMAT.md for what round-trips and what does not.
/// </summary>
/// <remarks>
/// Safe to use from any number of threads: the only shared state is the cache of parsed templates, a concurrent
/// dictionary that is cleared when it grows past <see cref="TemplateCacheLimit"/> (a stream that carries
/// rendered messages as templates would otherwise grow it without end).
/// </remarks>
static class ClefReader
{
    const int TemplateCacheLimit = 1000;

    static readonly MessageTemplateParser Parser = new();
    static readonly ConcurrentDictionary<string, MessageTemplate> Templates = new();

    /// <summary>
    /// Read every event in <paramref name="utf8"/>: CLEF lines, each one JSON object, separated by line feeds; blank
    /// lines are skipped.
    /// </summary>
    /// <param name="utf8">The lines.</param>
    /// <param name="badLine">Receives the failure for each line that is not a CLEF event, which is then skipped;
    /// when <see langword="null"/>, such a line throws.</param>
    /// <exception cref="JsonException">When a line is not a JSON object.</exception>
    /// <exception cref="FormatException">When a line is an object but not a CLEF event (no <c>@t</c>, say).</exception>
    public static List<LogEvent> ReadLines(ReadOnlyMemory<byte> utf8, Action<Exception>? badLine = null)
    {
        var events = new List<LogEvent>();
        var rest = utf8;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest.Slice(0, end);
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest.Slice(end + 1);
            if (IsBlank(line.Span)) continue;
            try
            {
                events.Add(Read(line));
            }
            catch (Exception ex) when (badLine is not null && ex is JsonException or FormatException or ArgumentException)
            {
                badLine(ex);
            }
        }

        return events;
    }

    /// <summary>Read one CLEF event, given as UTF-8 JSON.</summary>
    /// <exception cref="JsonException">When the text is not JSON.</exception>
    /// <exception cref="FormatException">When it is JSON but not a CLEF event.</exception>
    public static LogEvent Read(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return Read(document.RootElement);
    }

    /// <summary>Read one CLEF event, given as JSON text.</summary>
    /// <inheritdoc cref="Read(ReadOnlyMemory{byte})"/>
    public static LogEvent Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement);
    }

    static LogEvent Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("A CLEF event is a JSON object.");

        DateTimeOffset? timestamp = null;
        string? template = null, rendered = null, exception = null, traceId = null, spanId = null;
        var level = LogEventLevel.Information;
        var properties = new List<LogEventProperty>();

        foreach (var member in root.EnumerateObject())
        {
            var name = member.Name;
            if (name.Length > 0 && name[0] == '@')
            {
                if (name.Length > 1 && name[1] == '@')
                {
                    // "@@foo" is the property "@foo", escaped so as not to read as a reified field.
                    properties.Add(new LogEventProperty(name.Substring(1), ReadValue(member.Value)));
                    continue;
                }

                // Others are ignored: "@r" (renderings of formatted tokens), which the template re-renders, and "@i"
                // (event id) and other tools' fields, which have no place on a LogEvent.
                switch (name)
                {
                    case "@t": timestamp = ReadTimestamp(member.Value); break;
                    case "@mt": template = StringOf(member.Value); break;
                    case "@m": rendered = StringOf(member.Value); break;
                    case "@l": level = ReadLevel(member.Value); break;
                    case "@x": exception = StringOf(member.Value); break;
                    case "@tr": traceId = StringOf(member.Value); break;
                    case "@sp": spanId = StringOf(member.Value); break;
                }

                continue;
            }

            if (!LogEventProperty.IsValidName(name)) continue;
            properties.Add(new LogEventProperty(name, ReadValue(member.Value)));
        }

        if (timestamp is null) throw new FormatException("A CLEF event has a timestamp (@t).");

        return new LogEvent(
            timestamp.Value,
            level,
            exception is null ? null : new ClefException(exception),
            ParseTemplate(template, rendered),
            properties,
            ReadTraceId(traceId),
            ReadSpanId(spanId));
    }

    /// <summary>A reified field of the wrong kind (another tool's numeric span id, say) reads as absent.</summary>
    static string? StringOf(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    static DateTimeOffset ReadTimestamp(JsonElement value)
    {
        var text = StringOf(value) ?? throw new FormatException("The timestamp (@t) is a string.");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    static LogEventLevel ReadLevel(JsonElement value)
    {
        // Unknown levels (another tool's "Warn", say) read as Information rather than failing the whole event.
        return value.ValueKind == JsonValueKind.String &&
               Enum.TryParse<LogEventLevel>(value.GetString(), ignoreCase: true, out var level) &&
               level is >= LogEventLevel.Verbose and <= LogEventLevel.Fatal
            ? level
            : LogEventLevel.Information;
    }

    static MessageTemplate ParseTemplate(string? template, string? rendered)
    {
        // Only a rendered message: it becomes a template of text alone, its braces escaped.
        var text = template ?? (rendered ?? "").Replace("{", "{{").Replace("}", "}}");
        if (Templates.TryGetValue(text, out var parsed)) return parsed;

        parsed = Parser.Parse(text);
        if (Templates.Count >= TemplateCacheLimit) Templates.Clear();
        Templates[text] = parsed;
        return parsed;
    }

    static ActivityTraceId ReadTraceId(string? text)
    {
        return text is { Length: 32 } && IsHex(text) ? ActivityTraceId.CreateFromString(text.AsSpan()) : default;
    }

    static ActivitySpanId ReadSpanId(string? text)
    {
        return text is { Length: 16 } && IsHex(text) ? ActivitySpanId.CreateFromString(text.AsSpan()) : default;
    }

    static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'))) return false;
        }

        return true;
    }

    /// <summary>
    /// A property value: an object with <c>$type</c> is a structure with that type tag; an object without one is a
    /// structure when every key is a valid property name and a dictionary otherwise (the formatter writes both
    /// alike); an array is a sequence; anything else a scalar.
    /// </summary>
    static LogEventPropertyValue ReadValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return ReadObject(value);
            case JsonValueKind.Array:
                var elements = new List<LogEventPropertyValue>(value.GetArrayLength());
                foreach (var element in value.EnumerateArray())
                {
                    elements.Add(ReadValue(element));
                }

                return new SequenceValue(elements);
            case JsonValueKind.String:
                return new ScalarValue(value.GetString());
            case JsonValueKind.Number:
                return new ScalarValue(ReadNumber(value));
            case JsonValueKind.True:
                return new ScalarValue(true);
            case JsonValueKind.False:
                return new ScalarValue(false);
            default:
                return new ScalarValue(null);
        }
    }

    static LogEventPropertyValue ReadObject(JsonElement value)
    {
        string? typeTag = null;
        var isStructure = true;
        foreach (var member in value.EnumerateObject())
        {
            if (member.Name == "$type" && member.Value.ValueKind == JsonValueKind.String)
            {
                typeTag = member.Value.GetString();
            }
            else if (!LogEventProperty.IsValidName(member.Name))
            {
                isStructure = false;
            }
        }

        if (typeTag is not null || isStructure)
        {
            var properties = new List<LogEventProperty>();
            foreach (var member in value.EnumerateObject())
            {
                if (typeTag is not null && member.Name == "$type") continue;
                if (!LogEventProperty.IsValidName(member.Name)) continue;
                properties.Add(new LogEventProperty(member.Name, ReadValue(member.Value)));
            }

            return new StructureValue(properties, typeTag);
        }

        var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>();
        foreach (var member in value.EnumerateObject())
        {
            entries.Add(new KeyValuePair<ScalarValue, LogEventPropertyValue>(new ScalarValue(member.Name), ReadValue(member.Value)));
        }

        return new DictionaryValue(entries);
    }

    /// <summary>An integer that fits is a <see cref="long"/>; other numbers are a <see cref="decimal"/> when written
    /// without an exponent and within its range (exact, as the formatter wrote it), else a <see cref="double"/>.</summary>
    static object ReadNumber(JsonElement value)
    {
        if (value.TryGetInt64(out var integer)) return integer;

        var raw = value.GetRawText();
        if (raw.IndexOfAny(['e', 'E']) < 0 && value.TryGetDecimal(out var exact)) return exact;

        return value.GetDouble();
    }

    static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }

        return true;
    }
}
