using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// What the figures were measured on: they mean little without it.
/// </summary>
sealed record MachineInfo(int ProcessorCount, string OperatingSystem, string Architecture, string Runtime,
    string ProcessorName, bool ServerGc)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(),
        RuntimeInformation.FrameworkDescription,
        ReadProcessorName(),
        System.Runtime.GCSettings.IsServerGC);

    public override string ToString() =>
        $"{ProcessorCount} logical processors ({ProcessorName}), {OperatingSystem} {Architecture}, {Runtime}, " +
        $"{(ServerGc ? "server" : "workstation")} GC";

    /// <summary>
    /// The 1, 5 and 15 minute load averages, where the system publishes them: a loaded machine (a build, another
    /// benchmark) takes cores from a pipeline's second thread and makes its figures say little.
    /// </summary>
    public static string ReadLoadAverage()
    {
        try
        {
            const string loadAverage = "/proc/loadavg";
            if (!System.IO.File.Exists(loadAverage)) return "unknown";
            return string.Join(' ', System.IO.File.ReadAllText(loadAverage).Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The CPU model from /proc/cpuinfo where there is one; elsewhere only the count is reported.</summary>
    static string ReadProcessorName()
    {
        try
        {
            const string cpuInfo = "/proc/cpuinfo";
            if (!System.IO.File.Exists(cpuInfo)) return "unknown CPU";
            var line = System.IO.File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
