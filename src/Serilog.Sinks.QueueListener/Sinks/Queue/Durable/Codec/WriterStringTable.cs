using System.Runtime.CompilerServices;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The strings (templates, property names, type tags) one thread's records have defined in one segment, each with
/// its id: the first record of the thread in the segment that uses a string carries it in full, later ones its id
/// (FORMAT.md, "The string table"). One per <see cref="EventEncoder"/>, so nothing here is shared between threads.
/// </summary>
/// <remarks>
/// <para>Why per thread and per segment: a record may only refer to strings defined by records that are certain to
/// be there whenever it is. A thread commits its records in order, so every record a thread wrote before this one is
/// committed before this one is; when the process dies, a committed record is in the page cache, and so are all of
/// that thread's earlier records. A table shared between threads would let a record refer to a definition another
/// thread had reserved but not committed when the process died. And a segment is read from its start (or rebuilt from
/// its start, see <see cref="SpoolReader"/>), so a table never reaches across segments, whose files are deleted one by
/// one.</para>
/// <para>Definitions made while a record is encoded are pending until the record is committed
/// (<see cref="Committed"/>); a record that is not written (the spool full, the event too large, a segment change)
/// takes them back (<see cref="Abandon"/>), so that no later record refers to a definition that was never
/// written.</para>
/// </remarks>
sealed class WriterStringTable
{
    /// <summary>The most strings one thread defines in one segment; further strings are written in full each time,
    /// so that an application logging ever-new text as templates does not grow the table without end.</summary>
    public const int MaxStrings = 4096;

    /// <summary>Longer strings are always written in full: the table is for the short ones that repeat.</summary>
    public const int MaxLength = 4096;

    const int RecentSize = 64;

    readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    readonly List<string> _pending = [];

    /// <summary>A direct-mapped cache by reference: the templates and property names of a call site are the same
    /// string instances event after event, and a reference comparison costs less than hashing the text.</summary>
    readonly string?[] _recent = new string?[RecentSize];
    readonly int[] _recentIds = new int[RecentSize];

    /// <summary>The segment the table belongs to. Holding it keeps the object, not its mapping: a segment's mapping
    /// is released by the queue (<see cref="SpoolSegment.Close"/>) whoever holds the object.</summary>
    SpoolSegment? _segment;

    /// <summary>The offset of the record that opened the table in <see cref="_segment"/>; 0 until one is
    /// committed.</summary>
    int _openedAt;

    /// <summary>Start a record for <paramref name="segment"/>: a segment other than the table's starts an empty
    /// table.</summary>
    /// <returns>The record's table field: <see cref="TabledString.OpensTable"/> for the thread's first record in
    /// the segment, otherwise the opening record's offset divided by 8.</returns>
    public ulong Begin(SpoolSegment segment)
    {
        if (!ReferenceEquals(segment, _segment))
        {
            _segment = segment;
            _openedAt = 0;
            _ids.Clear();
            Array.Clear(_recent, 0, RecentSize);
        }

        _pending.Clear();
        return _openedAt == 0 ? TabledString.OpensTable : (ulong)(_openedAt / 8);
    }

    /// <summary>The id of <paramref name="value"/> in the table, or -1 when it is not there; a string the table has
    /// room for is then defined with the id <paramref name="defineAs"/> receives (-1 when it is to be written in full,
    /// undefined).</summary>
    public int Find(string value, out int defineAs)
    {
        var slot = RuntimeHelpers.GetHashCode(value) & (RecentSize - 1);
        if (ReferenceEquals(_recent[slot], value))
        {
            defineAs = -1;
            return _recentIds[slot];
        }

        if (_ids.TryGetValue(value, out var id))
        {
            _recent[slot] = value;
            _recentIds[slot] = id;
            defineAs = -1;
            return id;
        }

        defineAs = -1;
        if (_ids.Count >= MaxStrings || value.Length > MaxLength) return -1;
        defineAs = _ids.Count;
        _ids.Add(value, defineAs);
        _pending.Add(value);
        return -1;
    }

    /// <summary>The record was committed at <paramref name="offset"/> of the table's segment: its definitions
    /// stand.</summary>
    public void Committed(int offset)
    {
        if (_openedAt == 0) _openedAt = offset;
        _pending.Clear();
    }

    /// <summary>The record was not written: take back its definitions.</summary>
    public void Abandon()
    {
        if (_pending.Count == 0) return;
        foreach (var value in _pending) _ids.Remove(value);
        _pending.Clear();
        Array.Clear(_recent, 0, RecentSize);
    }
}
