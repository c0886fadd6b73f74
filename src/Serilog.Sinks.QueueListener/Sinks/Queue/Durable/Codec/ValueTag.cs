namespace Serilog.Sinks.Queue;

/// <summary>
/// The first byte of each property value in a spool record; see FORMAT.md for the bytes that follow each tag. The
/// numbers are part of the format: never change one, only add new ones (which a reader of an older version reports as
/// an unreadable record).
/// </summary>
enum ValueTag : byte
{
    Null = 0,
    String = 1,
    False = 2,
    True = 3,
    Int32 = 4,
    Int64 = 5,
    UInt64 = 6,
    Double = 7,
    Single = 8,
    Decimal = 9,
    DateTime = 10,
    DateTimeOffset = 11,
    TimeSpan = 12,
    Guid = 13,
    Char = 14,
    Byte = 15,
    SByte = 16,
    Int16 = 17,
    UInt16 = 18,
    UInt32 = 19,

    /// <summary>Any other scalar (an enum, a URI, a type of the application's own), as its invariant text.</summary>
    Text = 20,
    Sequence = 21,
    Structure = 22,
    Dictionary = 23,
}
