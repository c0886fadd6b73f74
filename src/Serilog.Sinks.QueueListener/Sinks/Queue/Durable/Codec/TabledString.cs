namespace Serilog.Sinks.Queue;

/// <summary>
/// The numbers of the string table in a record of kind 2 (FORMAT.md, "The string table"): the record's table field,
/// and the varint that starts each string that may be in the table (a template, a property name, a type tag).
/// </summary>
/// <remarks>
/// The varint <c>r</c> of a tabled string: <c>r = 2·id</c> refers to the string of that id; <c>r = 4·id + 1</c>
/// defines that id, the string (its length and UTF-8 bytes) following; <c>r = 3</c> is a string outside the table,
/// which follows. An id below 64 takes one byte, so that a template or a name written again costs a byte.
/// </remarks>
static class TabledString
{
    /// <summary>The table field of a record that uses no table.</summary>
    public const ulong NoTable = 0;

    /// <summary>The table field of the record that opens its thread's table in the segment: the table is known by
    /// this record's offset.</summary>
    public const ulong OpensTable = 1;

    /// <summary>The varint of a string written in full, outside the table.</summary>
    public const ulong Untabled = 3;

    public static ulong Reference(int id) => (ulong)id << 1;

    public static ulong Definition(int id) => ((ulong)id << 2) | 1;

    public static bool IsReference(ulong r) => (r & 1) == 0;

    public static bool IsDefinition(ulong r) => (r & 3) == 1;

    /// <summary>The id a reference or a definition carries.</summary>
    public static ulong Id(ulong r) => IsReference(r) ? r >> 1 : r >> 2;
}
