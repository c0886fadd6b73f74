namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Reads a log file, even one a sink still holds open for writing.
/// </summary>
static class LogFile
{
    public static IReadOnlyList<string> ReadLines(string path)
    {
        if (!System.IO.File.Exists(path)) return [];

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }
}
