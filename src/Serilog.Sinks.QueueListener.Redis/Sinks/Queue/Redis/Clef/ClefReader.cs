using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads compact JSON (CLEF), as Serilog.Formatting.Compact's <c>CompactJsonFormatter</c> writes it, back into
/// <see cref="LogEvent"/>s. See FORMAT.md for what round-trips and what does not.
/// </summary>
/// <remarks>
/// <para>Reads each line forward with a <see cref="Utf8JsonReader"/>, building no document, and decodes the text
/// that repeats from event to event (property names, templates) once: see <see cref="Utf8Cache{T}"/>. Its parts:
/// the lines (<see cref="ClefLines"/>), the templates (<see cref="ClefTemplates"/>), the reified fields
/// (<see cref="ClefFields"/>) and the property values (<see cref="ClefValueReader"/>).</para>
/// <para>Safe to use from any number of threads: the shared state is the caches of those parts, each safe
/// itself.</para>
/// </remarks>
static class ClefReader
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// How deep a line may nest: 256 levels, where the reader's default is 64. A logger writes as deep as its
    /// destructuring depth lets it (10 by default, any depth when raised), and a line the collector cannot follow is
    /// lost to it; 256 covers any depth a logger is set to in practice, while the recursive value reader stays well
    /// inside a thread's stack (a few hundred bytes a level). Deeper lines are reported unreadable.
    /// </summary>
    static readonly JsonReaderOptions LineOptions = new() { MaxDepth = 256 };

    /// <summary>
    /// Read every event in <paramref name="utf8"/>: CLEF lines, each one JSON object, separated by line feeds; blank
    /// lines are skipped.
    /// </summary>
    /// <param name="utf8">The lines.</param>
    /// <param name="badLine">Receives the failure for each line that is not a CLEF event, which is then skipped;
    /// when <see langword="null"/>, such a line throws.</param>
    /// <exception cref="JsonException">When a line is not a JSON object.</exception>
    /// <exception cref="FormatException">When a line is an object but not a CLEF event (no <c>@t</c>, say).</exception>
    /// <exception cref="InvalidOperationException">When a string in a line is not UTF-8.</exception>
    public static List<LogEvent> ReadLines(ReadOnlyMemory<byte> utf8, Action<Exception>? badLine = null) =>
        ReadLines(utf8, badLine, 0, null);

    /// <inheritdoc cref="ReadLines(ReadOnlyMemory{byte}, Action{Exception}?)"/>
    /// <param name="utf8">The lines.</param>
    /// <param name="badLine">Receives the failure for each line that is not a CLEF event, which is then skipped;
    /// when <see langword="null"/>, such a line throws.</param>
    /// <param name="addedProperties">How many properties <paramref name="addProperties"/> sets at most, which the
    /// event's dictionary makes room for from the start.</param>
    /// <param name="addProperties">Given each event's index among the events read and the properties read from its
    /// line, sets properties of its own, which replace any of the same name from the line: the same in effect as
    /// <see cref="LogEvent.AddOrUpdateProperty"/> on the event afterwards, without the dictionary growing.</param>
    public static List<LogEvent> ReadLines(ReadOnlyMemory<byte> utf8, Action<Exception>? badLine, int addedProperties,
        Action<int, Dictionary<string, LogEventPropertyValue>>? addProperties)
    {
        var rest = utf8.Span;
        var events = new List<LogEvent>(ClefLines.Count(rest));
        var properties = new List<KeyValuePair<string, LogEventPropertyValue>>();
        while (!rest.IsEmpty)
        {
            var line = ClefLines.Next(ref rest);
            if (ClefLines.IsBlank(line)) continue;
            try
            {
                events.Add(Read(line, properties, addedProperties, addProperties, events.Count));
            }
            // InvalidOperationException: a string whose bytes are not UTF-8, which the reader cannot transcode.
            catch (Exception ex) when (badLine is not null &&
                                       ex is JsonException or FormatException or ArgumentException or InvalidOperationException)
            {
                badLine(ex);
            }
        }

        return events;
    }

    /// <summary>Read one CLEF event, given as UTF-8 JSON.</summary>
    /// <exception cref="JsonException">When the text is not JSON.</exception>
    /// <exception cref="FormatException">When it is JSON but not a CLEF event.</exception>
    public static LogEvent Read(ReadOnlyMemory<byte> utf8) => Read(utf8.Span, [], 0, null, 0);

    /// <summary>Read one CLEF event, given as JSON text.</summary>
    /// <inheritdoc cref="Read(ReadOnlyMemory{byte})"/>
    public static LogEvent Read(string json) => Read(StrictUtf8.GetBytes(json));

    /// <param name="line">One line, a JSON object.</param>
    /// <param name="properties">Empty; filled with the event's properties as read and emptied again, so that one
    /// list serves every line of a payload.</param>
    /// <param name="addedProperties">See <see cref="ReadLines(ReadOnlyMemory{byte}, Action{Exception}?, int, Action{int, Dictionary{string, LogEventPropertyValue}}?)"/>.</param>
    /// <param name="addProperties">See <see cref="ReadLines(ReadOnlyMemory{byte}, Action{Exception}?, int, Action{int, Dictionary{string, LogEventPropertyValue}}?)"/>.</param>
    /// <param name="index">The event's index among the events read.</param>
    static LogEvent Read(ReadOnlySpan<byte> line, List<KeyValuePair<string, LogEventPropertyValue>> properties,
        int addedProperties, Action<int, Dictionary<string, LogEventPropertyValue>>? addProperties, int index)
    {
        var reader = new Utf8JsonReader(line, LineOptions);
        try
        {
            return ReadEvent(ref reader, properties, addedProperties, addProperties, index);
        }
        catch (Exception ex) when (ex is not JsonException)
        {
            // A parsed document met every syntax error before it decoded anything, so malformed JSON failed as
            // such even where the text before it could not be read as an event (a number for @t, say). Reading
            // forward meets the text first: look at the rest of the line before saying what is wrong with it.
            EnsureWellFormed(line);
            throw;
        }
        finally
        {
            properties.Clear();
        }
    }

    static LogEvent ReadEvent(ref Utf8JsonReader reader, List<KeyValuePair<string, LogEventPropertyValue>> properties,
        int addedProperties, Action<int, Dictionary<string, LogEventPropertyValue>>? addProperties, int index)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject) throw new FormatException("A CLEF event is a JSON object.");

        DateTimeOffset? timestamp = null;
        MessageTemplate? template = null, rendered = null;
        string? exception = null, traceText = null, spanText = null;
        var level = LogEventLevel.Information;
        ActivityTraceId traceId = default;
        ActivitySpanId spanId = default;

        // A field written twice takes its last value, as when it was read from a parsed document.
        while (ClefValueReader.Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = ClefValueReader.CachedString(ref reader);
            reader.Read();
            if (name.Length > 0 && name[0] == '@')
            {
                if (name.Length > 1 && name[1] == '@')
                {
                    // "@@foo" is the property "@foo", escaped so as not to read as a reified field.
                    properties.Add(new(name.Substring(1), ClefValueReader.ReadValue(ref reader)));
                    continue;
                }

                // Others are ignored: "@r" (renderings of formatted tokens), which the template re-renders, and "@i"
                // (event id) and other tools' fields, which have no place on a LogEvent.
                switch (name)
                {
                    case "@t": timestamp = ClefFields.ReadTimestamp(ref reader); break;
                    case "@mt": template = IsString(ref reader) ? ClefTemplates.ReadTemplate(ref reader) : null; break;
                    case "@m": rendered = IsString(ref reader) ? ClefTemplates.ReadRendered(ref reader) : null; break;
                    case "@l": level = ClefFields.ReadLevel(ref reader); break;
                    case "@x": exception = IsString(ref reader) ? reader.GetString() : null; break;
                    case "@tr": traceId = ClefFields.ReadTraceId(ref reader, out traceText); break;
                    case "@sp": spanId = ClefFields.ReadSpanId(ref reader, out spanText); break;
                }

                reader.Skip();
                continue;
            }

            if (!LogEventProperty.IsValidName(name))
            {
                reader.Skip();
                continue;
            }

            properties.Add(new(name, ClefValueReader.ReadValue(ref reader)));
        }

        // Nothing but white space may follow the object: the reader throws otherwise.
        reader.Read();

        if (timestamp is null) throw new FormatException("A CLEF event has a timestamp (@t).");

        if (traceText is not null) traceId = ClefFields.TraceId(traceText);
        if (spanText is not null) spanId = ClefFields.SpanId(spanText);

        // A name written twice keeps its last value in the place of its first, as LogEvent's constructor had it.
        // Every name here passed IsValidName, which is all the assembly below leaves to its caller.
        var dictionary = new Dictionary<string, LogEventPropertyValue>(properties.Count + addedProperties);
        foreach (var property in properties)
        {
            dictionary[property.Key] = property.Value;
        }

        addProperties?.Invoke(index, dictionary);

        // Public since Serilog 4.0 for libraries that build events from their parts: it takes the dictionary as the
        // event's own, where the constructors copy a list of properties into one grown as it fills.
        return LogEvent.UnstableAssembleFromParts(
            timestamp.Value,
            level,
            exception is null ? null : new ClefException(exception),
            template ?? rendered ?? ClefTemplates.Parse(""),
            dictionary,
            traceId,
            spanId);
    }

    /// <summary>A reified field of the wrong kind (another tool's numeric span id, say) reads as absent.</summary>
    static bool IsString(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.String;

    /// <summary>Reads the whole line, throwing <see cref="JsonException"/> if it is not one JSON value.</summary>
    static void EnsureWellFormed(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, LineOptions);
        while (reader.Read())
        {
        }
    }
}
