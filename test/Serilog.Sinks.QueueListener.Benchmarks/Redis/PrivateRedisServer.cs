using System.Diagnostics;
using System.Globalization;
using Serilog.Sinks.QueueListener.Testing;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// A <c>redis-server</c> of the benchmark's own: loopback only, a free port, a temporary directory, no persistence
/// (neither snapshots nor the append-only file, so that no disk write is measured). Disposing it shuts it down and
/// deletes the directory.
/// </summary>
sealed class PrivateRedisServer : IBenchmarkRedis, IDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    readonly Process _process;
    readonly string _directory;

    PrivateRedisServer(Process process, string directory, int port, string version)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Version = version;
    }

    public int Port { get; }

    /// <summary>What <c>redis-server --version</c> says, for the report.</summary>
    public string Version { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port},abortConnect=false");

    /// <summary>The server's CPU time so far, user and kernel: the Redis share of an event's cost.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Where <c>redis-server</c> is, or <see langword="null"/> when it is not on the PATH.</summary>
    public static string? FindExecutable() => RedisProcess.FindExecutable();

    /// <param name="settings">More settings, as <c>--name value</c> arguments (a cluster node's, say).</param>
    /// <exception cref="InvalidOperationException">When redis-server is not installed or does not start.</exception>
    public static PrivateRedisServer Start(IReadOnlyList<string>? settings = null)
    {
        var executable = FindExecutable()
            ?? throw new InvalidOperationException("redis-server is not on the PATH; install it (apt-get install redis-server) to run this mode.");
        var version = ReadVersion(executable);

        // A port found free may be taken before redis binds it; another try picks another port.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "queuelistener-bench-redis-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var port = RedisProcess.FreeLoopbackPort();
            // What the server prints is read and dropped: a benchmark has no failure message to put it in.
            var process = RedisProcess.Launch(executable, directory, port, appendOnly: false, _ => { }, settings);
            try
            {
                RedisProcess.WaitUntilAnswering(process, port, StartTimeout, () => "see its log");
                return new PrivateRedisServer(process, directory, port, version);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                RedisProcess.Stop(process, port, StopTimeout);
                RedisProcess.DeleteDirectory(directory);
            }
        }

        throw new InvalidOperationException("redis-server did not start.", last);
    }

    /// <summary>Delete <paramref name="key"/>, and the keys of its shards (<c>key:{tag}</c>) that this server holds,
    /// so that the next configuration starts from an empty stream and the server's memory from where it was.</summary>
    public void DeleteKey(string key)
    {
        using var connection = ConnectionMultiplexer.Connect(Configuration);
        var database = connection.GetDatabase();
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        foreach (var shard in server.Keys(pattern: key + ":{*").ToList()) database.KeyDelete(shard);
        database.KeyDelete(key);
    }

    public void Dispose()
    {
        RedisProcess.Stop(_process, Port, StopTimeout);
        _process.Dispose();
        RedisProcess.DeleteDirectory(_directory);
    }

    static string ReadVersion(string executable)
    {
        var info = new ProcessStartInfo(executable, "--version") { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = Process.Start(info);
        if (process is null) return "unknown version";
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit(StopTimeout);

        // "Redis server v=7.0.15 sha=... malloc=... bits=64 build=...": the version is what matters.
        return text.Split(' ').FirstOrDefault(p => p.StartsWith("v=", StringComparison.Ordinal))?[2..] ?? text;
    }
}
