using System.Diagnostics;
using System.Reflection;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Runs the samples of sample/: the QueueCollector app alone, and the across-processes script over the QueueCollector
/// and QueueProducer apps the test project has built (a project reference that references no assembly), so the script
/// builds nothing.
/// </summary>
static class SampleApps
{
    static readonly Assembly TestAssembly = typeof(SampleApps).Assembly;

    public static RunningApp StartCollector(params string[] arguments) =>
        new("QueueCollector", ChildApp.Start(TestAssembly, "QueueCollectorDirectory", "QueueCollector.dll", arguments));

    /// <summary>Start sample/across-processes.sh with <paramref name="events"/> per producer; its work folder goes
    /// under <paramref name="temporary"/>.</summary>
    public static RunningApp StartAcrossProcesses(int events, string temporary)
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("sample/across-processes.sh is a bash script.");

        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(DirectoryOf("SampleDirectory"), "across-processes.sh"));
        info.ArgumentList.Add(events.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["COLLECTOR_DLL"] = Path.Combine(DirectoryOf("QueueCollectorDirectory"), "QueueCollector.dll");
        info.Environment["PRODUCER_DLL"] = Path.Combine(DirectoryOf("QueueProducerDirectory"), "QueueProducer.dll");
        info.Environment["TMPDIR"] = temporary;

        // The script runs the apps with `dotnet`: the one running these tests, first on the PATH.
        var host = Path.GetDirectoryName(ChildApp.DotnetHost());
        if (!string.IsNullOrEmpty(host)) info.Environment["PATH"] = host + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        return new RunningApp("across-processes.sh", Process.Start(info) ?? throw new InvalidOperationException("bash did not start."));
    }

    static string DirectoryOf(string key) =>
        Path.GetFullPath(TestAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);
}
