using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.Redis.ConsumerApp with <c>dotnet &lt;dll&gt;</c>. The
/// test project builds it (a project reference that references no assembly) and records where its output is.
/// </summary>
static class ConsumerApp
{
    const string AssemblyFile = "Serilog.Sinks.QueueListener.Redis.ConsumerApp.dll";

    public static string AssemblyPath
    {
        get
        {
            var directory = typeof(ConsumerApp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "ConsumerAppDirectory").Value!;
            return Path.GetFullPath(Path.Combine(directory, AssemblyFile));
        }
    }

    public static Process Start(params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(AssemblyPath);
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        return Process.Start(startInfo) ?? throw new InvalidOperationException("The child process did not start.");
    }

    /// <summary>
    /// The <c>dotnet</c> host running these tests: the SDK tells child processes where it is; otherwise it sits
    /// three folders above the shared runtime (dotnet/shared/Microsoft.NETCore.App/&lt;version&gt;/).
    /// </summary>
    static string DotnetHost()
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
