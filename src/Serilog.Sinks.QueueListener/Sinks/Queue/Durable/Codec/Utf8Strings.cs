namespace Serilog.Sinks.Queue;

/// <summary>
/// The strings a decoder keeps meeting (templates, property names), each decoded from UTF-8 once: a small table,
/// indexed by a hash of the bytes, whose entry is kept when its bytes match and replaced when they do not. A miss
/// costs a decode, as without the table; a hit costs a hash and a comparison of the bytes, and no allocation.
/// </summary>
/// <remarks>Used by one thread at a time, as the decoder is.</remarks>
sealed unsafe class Utf8Strings
{
    const int Size = 256;
    readonly byte[]?[] _bytes = new byte[Size][];
    readonly string?[] _strings = new string[Size];

    /// <summary>The string of <paramref name="length"/> UTF-8 bytes at <paramref name="data"/>, or
    /// <see langword="null"/> when the table does not hold it.</summary>
    public string? Find(byte* data, int length, out int slot)
    {
        slot = Slot(data, length);
        var bytes = _bytes[slot];
        if (bytes is null || bytes.Length != length) return null;
        return new ReadOnlySpan<byte>(data, length).SequenceEqual(bytes) ? _strings[slot] : null;
    }

    /// <summary>Keep <paramref name="value"/>, decoded from the bytes <see cref="Find"/> missed, in its slot.</summary>
    public void Keep(int slot, byte* data, int length, string value)
    {
        _bytes[slot] = new ReadOnlySpan<byte>(data, length).ToArray();
        _strings[slot] = value;
    }

    /// <summary>FNV-1a over the length and at most the first and last 16 bytes: enough to tell templates and names
    /// apart, and cheap for a long one.</summary>
    static int Slot(byte* data, int length)
    {
        var hash = 2166136261u ^ (uint)length;
        var head = Math.Min(length, 16);
        for (var i = 0; i < head; i++) hash = (hash ^ data[i]) * 16777619u;
        for (var i = Math.Max(head, length - 16); i < length; i++) hash = (hash ^ data[i]) * 16777619u;
        return (int)(hash % Size);
    }
}
