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

    readonly ReusedCharBuffer _text = new();

    /// <summary>The number of events written since the last <see cref="TakePayload"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The length in UTF-8 bytes of what was written since the last <see cref="TakePayload"/>.</summary>
    public int ByteCount { get; private set; }

    /// <summary>Append <paramref name="logEvent"/> as one CLEF line.</summary>
    public void Write(LogEvent logEvent)
    {
        var start = _text.Length;
        try
        {
            Formatter.Format(logEvent, _text);
        }
        catch
        {
            // A value whose ToString() throws, say: leave no half-written line behind.
            _text.CutBack(start);
            throw;
        }

        // A line ends with a line feed, so no surrogate pair is split between this count and the next.
        var line = _text.Since(start);
        ByteCount += Utf8.GetByteCount(line.Array!, line.Offset, line.Count);
        Count++;
    }

    /// <summary>The UTF-8 bytes of the lines written so far; starts a new payload.</summary>
    public byte[] TakePayload()
    {
        var payload = new byte[ByteCount];
        var lines = _text.Since(0);
        Utf8.GetBytes(lines.Array!, lines.Offset, lines.Count, payload, 0);
        _text.Clear();
        ByteCount = 0;
        Count = 0;
        return payload;
    }

    public void Dispose() => _text.Dispose();
}
