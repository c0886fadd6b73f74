using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// A <c>redis-server</c> of the benchmark's own: loopback only, a free port, a temporary directory, no persistence
/// (neither snapshots nor the append-only file, so that no disk write is measured). Disposing it shuts it down and
/// deletes the directory.
/// </summary>
sealed class PrivateRedisServer : IDisposable
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
    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "redis-server"))
            .FirstOrDefault(System.IO.File.Exists);

    /// <exception cref="InvalidOperationException">When redis-server is not installed or does not start.</exception>
    public static PrivateRedisServer Start()
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
            var port = FreeLoopbackPort();
            var process = Launch(executable, directory, port);
            try
            {
                WaitUntilAnswering(process, port);
                return new PrivateRedisServer(process, directory, port, version);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
                Stop(process, port);
                DeleteDirectory(directory);
            }
        }

        throw new InvalidOperationException("redis-server did not start.", last);
    }

    /// <summary>Delete <paramref name="key"/>, so that the next configuration starts from an empty stream and the
    /// server's memory from where it was.</summary>
    public void DeleteKey(string key)
    {
        using var connection = ConnectionMultiplexer.Connect(Configuration);
        connection.GetDatabase().KeyDelete(key);
    }

    public void Dispose()
    {
        Stop(_process, Port);
        _process.Dispose();
        DeleteDirectory(_directory);
    }

    static Process Launch(string executable, string directory, int port)
    {
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                     "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");

        // Read and dropped, so that a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void WaitUntilAnswering(Process process, int port)
    {
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < StartTimeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}.");
            if (Send(port, "PING") == "+PONG") return;
            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"redis-server did not answer PING within {StartTimeout.TotalSeconds:F0} s.");
    }

    /// <summary>Shut the server down politely, then by force; the process is ours, so killing it is ours to do.</summary>
    static void Stop(Process process, int port)
    {
        if (process.HasExited) return;
        Send(port, "SHUTDOWN NOSAVE");
        if (process.WaitForExit(StopTimeout)) return;
        process.Kill();
        process.WaitForExit(StopTimeout);
    }

    /// <summary>One inline command, the first line of its reply; <see langword="null"/> when the server does not
    /// answer within a second.</summary>
    static string? Send(int port, string command)
    {
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(1))) return null;
            using var stream = client.GetStream();
            stream.ReadTimeout = stream.WriteTimeout = 1000;
            stream.Write(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"));
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
            return reader.ReadLine();
        }
        catch (Exception ex) when (ex is SocketException or IOException or AggregateException)
        {
            return null;
        }
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

    static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a server that would not die; the temp folder is the OS's to clean.
        }
    }
}
