using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Writes events as CLEF lines with Serilog.Formatting.Compact's <see cref="CompactJsonFormatter"/>, each line ended
/// by a line feed whatever the platform, into the UTF-8 payload of one stream entry (see FORMAT.md).
/// </summary>
/// <remarks>Not thread-safe: one writer per producer, used by one thread at a time.</remarks>
sealed class ClefWriter : IDisposable
{
    static readonly CompactJsonFormatter Formatter = new();
    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    readonly StringWriter _text = new(CultureInfo.InvariantCulture) { NewLine = "\n" };

    /// <summary>The number of events written since the last <see cref="TakePayload"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The length in characters of what was written since the last <see cref="TakePayload"/>.</summary>
    public int Length => _text.GetStringBuilder().Length;

    /// <summary>Append <paramref name="logEvent"/> as one CLEF line.</summary>
    public void Write(LogEvent logEvent)
    {
        var builder = _text.GetStringBuilder();
        var start = builder.Length;
        try
        {
            Formatter.Format(logEvent, _text);
        }
        catch
        {
            // A value whose ToString() throws, say: leave no half-written line behind.
            builder.Length = start;
            throw;
        }

        Count++;
    }

    /// <summary>The UTF-8 bytes of the lines written so far; starts a new payload.</summary>
    public byte[] TakePayload()
    {
        var builder = _text.GetStringBuilder();
        var payload = Utf8.GetBytes(builder.ToString());
        builder.Clear();
        Count = 0;
        return payload;
    }

    /// <summary>Nothing to release (a string writer holds memory only); for the analyzers' sake.</summary>
    public void Dispose() => _text.Dispose();
}
