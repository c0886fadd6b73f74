using System.Runtime.InteropServices;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// A small, fixed-size cache from UTF-8 bytes to what was made of them (a property name, a parsed template), so that
/// text that repeats on every event is not decoded again: one slot per hash, a newcomer replacing whatever held its
/// slot.
/// </summary>
/// <remarks>
/// <para>Bounded by construction: it never holds more than its slot count of keys, each at most
/// <see cref="LongestKey"/> bytes, however many distinct keys go by, so a stream of ever-new text (rendered messages
/// used as templates, say) costs memory no more than a busy one.</para>
/// <para>Safe from any thread without a lock. Each slot holds a reference to an immutable <see cref="Entry"/>;
/// readers load it once and compare against that snapshot, writers replace it whole. A reader racing a writer sees
/// the old entry or the new one, both complete and both right for their own key, so the worst a race does is a miss
/// that decodes the key again: a benign race.</para>
/// <para>Callers keep the decoding path they had before as the miss path, so two keys that collide (by chance, or
/// written to collide) cost what every lookup cost without the cache, never more than one hash and compare
/// beyond.</para>
/// </remarks>
/// <typeparam name="T">What a key stands for: a pure function of the key's bytes, so that any entry is right for
/// anyone who finds it.</typeparam>
sealed class Utf8Cache<T> where T : class
{
    /// <summary>The longest key remembered, in bytes. Long text rarely repeats (a rendered message used as a
    /// template, say), and the slots would otherwise hold a copy of each key and its value for good: with long keys,
    /// megabytes that no later event reuses.</summary>
    public const int LongestKey = 1024;

    readonly Entry?[] _slots;
    readonly int _mask;

    /// <param name="slots">The number of slots, a power of two.</param>
    public Utf8Cache(int slots)
    {
        if (slots <= 0 || (slots & (slots - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(slots), slots, "The number of slots is a power of two.");

        _slots = new Entry?[slots];
        _mask = slots - 1;
    }

    /// <summary>Find what <paramref name="key"/> stood for when it was last added, if it still holds its slot.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out T value)
    {
        var entry = Volatile.Read(ref _slots[Hash(key) & _mask]);
        if (entry is not null && key.SequenceEqual(entry.Key))
        {
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>Remember that <paramref name="key"/> stands for <paramref name="value"/>, in place of whatever held
    /// its slot; a key longer than <see cref="LongestKey"/> is not remembered.</summary>
    public void Add(ReadOnlySpan<byte> key, T value)
    {
        if (key.Length > LongestKey) return;

        Volatile.Write(ref _slots[Hash(key) & _mask], new Entry(key.ToArray(), value));
    }

    /// <summary>Eight bytes at a time, each step a multiply and a shift that spreads every input bit over the low bits
    /// that pick the slot. Not a defence against keys written to collide; see the remarks for why none is
    /// needed.</summary>
    static int Hash(ReadOnlySpan<byte> key)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var hash = (ulong)key.Length * Multiplier;
        while (key.Length >= 8)
        {
            hash = (hash ^ MemoryMarshal.Read<ulong>(key)) * Multiplier;
            hash ^= hash >> 29;
            key = key.Slice(8);
        }

        ulong tail = 0;
        for (var i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
        }

        hash = (hash ^ tail) * Multiplier;
        return (int)(hash >> 32);
    }

    /// <summary>A key and what it stands for; never changed once made, so it can be shared without a lock.</summary>
    sealed class Entry(byte[] key, T value)
    {
        public byte[] Key { get; } = key;
        public T Value { get; } = value;
    }
}
