using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Testing;

/// <summary>
/// Starts a console app of the solution as a child process, with <c>dotnet &lt;dll&gt;</c>: the test project builds
/// it (a project reference that references no assembly) and records, in an assembly metadata attribute, where its
/// output is. Shared by the test projects, linked into each.
/// </summary>
static class ChildApp
{
    /// <summary>
    /// Start the app whose output folder the calling test assembly records under <paramref name="directoryKey"/>.
    /// Its standard input is the test's unless <paramref name="redirectStandardInput"/>, for an app that stops when
    /// told there.
    /// </summary>
    public static Process Start(Assembly testAssembly, string directoryKey, string assemblyFile, IEnumerable<string> arguments,
        bool redirectStandardInput = false)
    {
        var directory = testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == directoryKey).Value!;
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStandardInput,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.GetFullPath(Path.Combine(directory, assemblyFile)));
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        return Process.Start(startInfo) ?? throw new InvalidOperationException("The child process did not start.");
    }

    /// <summary>
    /// The <c>dotnet</c> host running these tests: the SDK tells child processes where it is; otherwise it sits
    /// three folders above the shared runtime (dotnet/shared/Microsoft.NETCore.App/&lt;version&gt;/).
    /// </summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && System.IO.File.Exists(hostPath))
        {
            return hostPath;
        }

        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return System.IO.File.Exists(host) ? host : "dotnet";
    }
}
