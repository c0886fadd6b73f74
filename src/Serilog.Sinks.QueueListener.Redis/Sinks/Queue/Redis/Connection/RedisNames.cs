using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>Checks and helpers shared by the producer and consumer sides.</summary>
static class RedisNames
{
    /// <summary>The current process's id, on every target.</summary>
    public static int ProcessId
    {
        get
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return process.Id;
        }
    }

    /// <exception cref="ArgumentNullException">When <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When it is empty or white space.</exception>
    public static string Require(string? name, string parameterName)
    {
        if (name is null) throw new ArgumentNullException(parameterName);
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("The name must not be empty or white space.", parameterName);
        return name;
    }

    /// <summary>The options to connect with, without failing when Redis is down at start: StackExchange.Redis keeps
    /// trying, and the commands meanwhile fail and are reported. Connecting is <see cref="RedisConnection"/>'s job,
    /// in the background.</summary>
    /// <exception cref="ArgumentException">When <paramref name="configuration"/> cannot be parsed, or names no
    /// server.</exception>
    public static ConfigurationOptions Options(string configuration)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            // The parser's message names the bad option, never a password's value; the configuration itself is not
            // repeated, since it may hold one.
            throw new ArgumentException($"The Redis configuration string cannot be parsed: {ex.Message}", nameof(configuration), ex);
        }

        // Parsed, a string of options alone (",", "password=...") names no server, which the connection would refuse
        // with an exception naming a parameter of its own.
        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("The Redis configuration string names no server (host:port).", nameof(configuration));
        }

        options.AbortOnConnectFail = false;
        return options;
    }
}
