using System.Diagnostics;
using System.Globalization;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Runs <c>redis-cli</c> (installed beside <c>redis-server</c>) for the administration of the topologies: whole
/// replies of many lines, and <c>--cluster create</c>, without the client library under test.
/// </summary>
static class RedisCli
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Run <c>redis-cli -p <paramref name="port"/></c> with <paramref name="arguments"/>; what it printed.</summary>
    /// <exception cref="InvalidOperationException">When it fails or does not end within 20 s.</exception>
    public static string Run(int port, params string[] arguments) =>
        RunRaw(["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments]);

    /// <summary>Run <c>redis-cli</c> with <paramref name="arguments"/> as they are.</summary>
    public static string RunRaw(IEnumerable<string> arguments)
    {
        var executable = Path.Combine(Path.GetDirectoryName(RedisServer.RequireInstalled())!, "redis-cli");
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"redis-cli {string.Join(' ', info.ArgumentList)} did not end within {Timeout}.");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"redis-cli {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {output.Result} {errors.Result}");
        }

        return output.Result;
    }
}
