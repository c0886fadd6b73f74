namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Splits a payload of CLEF lines, as <see cref="ClefReader"/> reads it: lines separated by line feeds, a line of
/// white space alone being blank. Pure functions: safe on any thread.
/// </summary>
static class ClefLines
{
    /// <summary>An upper bound on the number of events, so that the list is made once at its size.</summary>
    public static int Count(ReadOnlySpan<byte> utf8)
    {
        var lines = 1;
        for (var end = utf8.IndexOf((byte)'\n'); end >= 0; end = utf8.IndexOf((byte)'\n'))
        {
            lines++;
            utf8 = utf8.Slice(end + 1);
        }

        return lines;
    }

    /// <summary>Take the next line off <paramref name="rest"/>, without its line feed.</summary>
    public static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        var line = end < 0 ? rest : rest.Slice(0, end);
        rest = end < 0 ? default : rest.Slice(end + 1);
        return line;
    }

    /// <summary>Whether <paramref name="line"/> holds white space alone (a carriage return among it, for lines
    /// written with CRLF).</summary>
    public static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }

        return true;
    }
}
