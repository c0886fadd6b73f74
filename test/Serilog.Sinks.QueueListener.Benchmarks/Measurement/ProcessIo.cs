using System.Globalization;

namespace Serilog.Sinks.QueueListener.Benchmarks.Measurement;

/// <summary>
/// The bytes the process has caused to be sent to storage (<c>write_bytes</c> of Linux's /proc/self/io): for pages
/// written through a memory mapping, a page counts each time it goes from clean to dirty, so a page flushed after
/// every event counts once per event.
/// </summary>
static class ProcessIo
{
    /// <summary><see langword="null"/> where the counter cannot be read (not Linux, or no task accounting).</summary>
    public static long? WriteBytes()
    {
        try
        {
            foreach (var line in System.IO.File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("write_bytes:".Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
