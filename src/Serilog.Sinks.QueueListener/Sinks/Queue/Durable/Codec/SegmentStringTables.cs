using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The string tables of the segment being read (FORMAT.md, "The string table"): one per thread that wrote in it, each
/// known by the offset of the record that opened it, holding the strings its records defined and, for a template,
/// the template parsed.
/// </summary>
/// <remarks>
/// Filled as the segment's records are read in file order, which is each writing thread's own order, so a definition
/// is always met before the records that refer to it. Cleared when the reader moves to the next segment; a reader
/// that starts in the middle of a segment first reads the records before its start for their definitions
/// (<see cref="SpoolReader"/>). Used by one thread at a time, as the reader is.
/// </remarks>
sealed class SegmentStringTables
{
    readonly Dictionary<int, Table> _tables = [];

    /// <summary>Forget the tables: the reader is in another segment.</summary>
    public void Clear() => _tables.Clear();

    /// <summary>Start the table of the record at <paramref name="offset"/>, empty.</summary>
    public Table Open(int offset)
    {
        var table = new Table();
        _tables[offset] = table;
        return table;
    }

    /// <summary>The table the record at <paramref name="offset"/> opened, if it was read.</summary>
    public Table? Find(int offset) => _tables.TryGetValue(offset, out var table) ? table : null;

    /// <summary>One thread's strings in the segment, by id.</summary>
    public sealed class Table
    {
        string?[] _texts = new string?[16];
        MessageTemplate?[] _templates = new MessageTemplate?[16];

        public void Define(int id, string text)
        {
            if (id >= _texts.Length)
            {
                var size = Math.Max(id + 1, _texts.Length * 2);
                Array.Resize(ref _texts, size);
                Array.Resize(ref _templates, size);
            }

            _texts[id] = text;
            _templates[id] = null;
        }

        /// <summary>The string of <paramref name="id"/>, or <see langword="null"/> when no record read defined
        /// it.</summary>
        public string? Text(int id) => id < _texts.Length ? _texts[id] : null;

        /// <summary>The template of the text <paramref name="id"/>, parsed by <paramref name="parse"/> the first
        /// time.</summary>
        public MessageTemplate Template(int id, string text, Func<string, MessageTemplate> parse) =>
            _templates[id] ??= parse(text);
    }
}
