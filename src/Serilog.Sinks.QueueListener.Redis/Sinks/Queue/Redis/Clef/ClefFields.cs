using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads the reified fields of a CLEF event that are not text (<c>@t</c>, <c>@l</c>, <c>@tr</c>, <c>@sp</c>) from a
/// <see cref="Utf8JsonReader"/> on the field's value: the field half of <see cref="ClefReader"/>. Holds no state.
/// </summary>
/// <remarks>
/// Each reads what the formatter writes straight from the bytes, and anything else (escaped text, another tool's
/// spelling) the way it was read from a decoded string before, so that whatever read before reads the same.
/// </remarks>
static class ClefFields
{
    /// <exception cref="FormatException">When the value is not a string, or not a timestamp.</exception>
    public static DateTimeOffset ReadTimestamp(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) throw new FormatException("The timestamp (@t) is a string.");

        // The formatter writes the round-trip form: 28 bytes ending in Z, or 33 ending in an offset, which the 'O'
        // parser reads with the offset as written. Its only other form (27 bytes, no offset) takes the local offset,
        // which is left to the general parser, the one that decided it before.
        if (!reader.ValueIsEscaped)
        {
            var raw = reader.ValueSpan;
            if (((raw.Length == 28 && raw[27] == (byte)'Z') || (raw.Length == 33 && raw[27] is (byte)'+' or (byte)'-')) &&
                Utf8Parser.TryParse(raw, out DateTimeOffset timestamp, out var consumed, 'O') &&
                consumed == raw.Length)
            {
                return timestamp;
            }
        }

        return DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    /// <summary>Unknown levels (another tool's "Warn", say) read as Information rather than failing the whole
    /// event.</summary>
    public static LogEventLevel ReadLevel(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return LogEventLevel.Information;

        // The names as the formatter writes them; Information it leaves out.
        if (reader.ValueTextEquals("Warning"u8)) return LogEventLevel.Warning;
        if (reader.ValueTextEquals("Error"u8)) return LogEventLevel.Error;
        if (reader.ValueTextEquals("Debug"u8)) return LogEventLevel.Debug;
        if (reader.ValueTextEquals("Information"u8)) return LogEventLevel.Information;
        if (reader.ValueTextEquals("Verbose"u8)) return LogEventLevel.Verbose;
        if (reader.ValueTextEquals("Fatal"u8)) return LogEventLevel.Fatal;

        // Any case, and whatever else the enum parser takes, as before.
        return Enum.TryParse<LogEventLevel>(reader.GetString(), ignoreCase: true, out var level) &&
               level is >= LogEventLevel.Verbose and <= LogEventLevel.Fatal
            ? level
            : LogEventLevel.Information;
    }

    /// <summary>
    /// A trace id as the formatter writes it; anything else comes back as <paramref name="text"/> (or
    /// <see langword="null"/>, when not a string), for <see cref="TraceId(string?)"/> once the whole event is read.
    /// </summary>
    /// <remarks>Read then, after the timestamp: a line with an odd id and no timestamp fails for the
    /// timestamp.</remarks>
    public static ActivityTraceId ReadTraceId(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        if (IsFormatterHex(ref reader, 32)) return ActivityTraceId.CreateFromUtf8String(reader.ValueSpan);

        if (reader.TokenType == JsonTokenType.String) text = reader.GetString();
        return default;
    }

    /// <inheritdoc cref="ReadTraceId(ref Utf8JsonReader, out string?)"/>
    public static ActivitySpanId ReadSpanId(ref Utf8JsonReader reader, out string? text)
    {
        text = null;
        if (IsFormatterHex(ref reader, 16)) return ActivitySpanId.CreateFromUtf8String(reader.ValueSpan);

        if (reader.TokenType == JsonTokenType.String) text = reader.GetString();
        return default;
    }

    /// <summary>A trace id in upper-case hex reads as the same id; one of the wrong length or alphabet, or all
    /// zeros (no trace), reads as absent.</summary>
    public static ActivityTraceId TraceId(string? text) =>
        text is { Length: 32 } && IsHexNotZero(text) ? ActivityTraceId.CreateFromString(text.ToLowerInvariant().AsSpan()) : default;

    /// <summary>A span id in upper-case hex reads as the same id; one of the wrong length or alphabet, or all
    /// zeros (no span), reads as absent.</summary>
    public static ActivitySpanId SpanId(string? text) =>
        text is { Length: 16 } && IsHexNotZero(text) ? ActivitySpanId.CreateFromString(text.ToLowerInvariant().AsSpan()) : default;

    /// <summary>
    /// Whether the value is an id as the formatter writes one: lower-case hex, not all zeros, which the UTF-8
    /// factory reads without a string. Anything else goes the string way (<see cref="TraceId(string?)"/>), which
    /// reads upper case as the same id and the rest as absent.
    /// </summary>
    static bool IsFormatterHex(ref Utf8JsonReader reader, int length)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped) return false;

        var raw = reader.ValueSpan;
        if (raw.Length != length) return false;

        var zeros = true;
        foreach (var b in raw)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f'))) return false;
            zeros &= b == (byte)'0';
        }

        return !zeros;
    }

    /// <summary>Whether <paramref name="text"/> is hex in either case and not all zeros, which the id factories
    /// refuse with an exception that would make the whole line unreadable.</summary>
    static bool IsHexNotZero(string text)
    {
        var zeros = true;
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'))) return false;
            zeros &= c == '0';
        }

        return !zeros;
    }
}
