using System.Globalization;
using System.Text;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// A <see cref="TextWriter"/> into one array of characters that is kept from one payload to the next.
/// </summary>
/// <remarks>
/// A <see cref="StringWriter"/> would do, but each payload would then cost a string of twice its length in bytes and
/// a fresh builder: for entries of tens of kilobytes that is the large object heap, and its collections are gen2
/// collections. Here the array grows to the largest payload once and is reused. Not thread-safe.
/// </remarks>
sealed class ReusedCharBuffer : TextWriter
{
    const int InitialCapacity = 1024;

    /// <summary>The largest array kept from one payload to the next: room for a full entry (64 KiB of lines, and
    /// the line that took it past that) and then some. One larger came from an oversized event, and is let go
    /// rather than held for the life of the sink.</summary>
    const int KeptCapacity = 256 * 1024;

    char[] _chars = new char[InitialCapacity];

    public ReusedCharBuffer() : base(CultureInfo.InvariantCulture)
    {
        // CLEF lines end with a line feed on every platform (FORMAT.md).
        NewLine = "\n";
    }

    public override Encoding Encoding => Encoding.Unicode;

    /// <summary>The number of characters written since the last <see cref="Clear"/>, or to which it was cut back.</summary>
    public int Length { get; private set; }

    /// <summary>The length of the array kept.</summary>
    public int Capacity => _chars.Length;

    /// <summary>What has been written from <paramref name="start"/> on.</summary>
    public ArraySegment<char> Since(int start) => new(_chars, start, Length - start);

    /// <summary>Forget what was written from <paramref name="length"/> on.</summary>
    public void CutBack(int length) => Length = length;

    public void Clear()
    {
        Length = 0;
        if (_chars.Length > KeptCapacity) _chars = new char[InitialCapacity];
    }

    public override void Write(char value)
    {
        if (Length == _chars.Length) Grow(1);
        _chars[Length++] = value;
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        Append(value.AsSpan());
    }

    public override void Write(char[] buffer, int index, int count) =>
        Append((buffer ?? throw new ArgumentNullException(nameof(buffer))).AsSpan(index, count));

#if !NETSTANDARD2_0
    public override void Write(ReadOnlySpan<char> buffer) => Append(buffer);
#endif

    void Append(ReadOnlySpan<char> value)
    {
        if (value.Length > _chars.Length - Length) Grow(value.Length);
        value.CopyTo(_chars.AsSpan(Length));
        Length += value.Length;
    }

    void Grow(int needed)
    {
        var grown = new char[Math.Max(_chars.Length * 2, Length + needed)];
        Array.Copy(_chars, grown, Length);
        _chars = grown;
    }
}
