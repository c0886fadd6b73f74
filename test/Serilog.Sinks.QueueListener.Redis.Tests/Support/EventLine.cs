using System.Globalization;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// One line of the collector app's output: <c>&lt;producer&gt; &lt;sequence&gt; &lt;entry id&gt; &lt;entry index&gt;</c>,
/// which event of which producer was written, and from where in the stream it was read.
/// </summary>
sealed record EventLine(string Producer, long Sequence, string EntryId, int EntryIndex)
{
    public static EventLine Parse(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 4) throw new FormatException($"Not an event line: '{line}'.");
        return new EventLine(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2],
            int.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    /// <summary>The whole lines of <paramref name="path"/>: a line a killed writer left without its line feed is not
    /// one.</summary>
    public static List<EventLine> ReadAll(string path)
    {
        var tail = new FileTail(path);
        var lines = new List<EventLine>();
        tail.ReadNew(line => lines.Add(Parse(line)));
        return lines;
    }
}
