using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with a temporary directory, for the tests that need one.
/// <see cref="Shared"/> is started once per test run, on first use, and stopped by <see cref="RedisServerLifetime"/>;
/// <see cref="Start"/> gives a test a server of its own (with the append-only file, say).
/// </summary>
/// <remarks>
/// Without <c>redis-server</c> on the PATH, a test that asks for one is ignored, with the install command in the
/// message, unless <c>QUEUELISTENER_REQUIRE_REDIS=1</c> (as CI sets it): then it fails. Every wait is bounded.
/// </remarks>
sealed class RedisServer : IDisposable
{
    public const string InstallCommand = "apt-get update && apt-get install -y redis-server";
    const string RequireVariable = "QUEUELISTENER_REQUIRE_REDIS";

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    static readonly Lock SharedLock = new();
    static RedisServer? _shared;
    static string? _sharedFailure;

    readonly Process _process;
    readonly string _directory;
    readonly StringBuilder _output = new();
    int _disposed;

    RedisServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>The server of this test run, started on first use; ignores or fails the test when there is none.</summary>
    public static RedisServer Shared
    {
        get
        {
            lock (SharedLock)
            {
                if (_shared is null && _sharedFailure is null)
                {
                    try
                    {
                        _shared = Start();
                    }
                    catch (Exception ex) when (ex is not IgnoreException)
                    {
                        _sharedFailure = ex.Message;
                    }
                }

                if (_shared is not null) return _shared;
            }

            Assert.Fail(_sharedFailure ?? "redis-server did not start.");
            throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>Stop the shared server, if one was started; at the end of the run.</summary>
    public static void StopShared()
    {
        lock (SharedLock)
        {
            _shared?.Dispose();
            _shared = null;
        }
    }

    /// <summary>Start a server of one's own; dispose it to stop it.</summary>
    /// <param name="appendOnly">Whether to keep the append-only file (fsync every second).</param>
    public static RedisServer Start(bool appendOnly = false)
    {
        var executable = FindOnPath("redis-server");
        if (executable is null)
        {
            var message = $"redis-server is not installed; install it with: {InstallCommand}";
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1") Assert.Fail($"{message} ({RequireVariable}=1)");
            Assert.Ignore(message);
        }

        // A port is free when we look and may be taken before redis binds it: then try another.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return StartOn(executable!, FreeLoopbackPort(), appendOnly);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("redis-server did not start.", last);
    }

    static RedisServer StartOn(string executable, int port, bool appendOnly)
    {
        var directory = Path.Combine(Path.GetTempPath(), "queuelistener-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);

        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
                     "--appendonly", appendOnly ? "yes" : "no", "--protected-mode", "yes",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        var server = new RedisServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Record(e.Data);
        process.ErrorDataReceived += (_, e) => server.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                server.Dispose();
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {server.Output}");
            }

            if (server.TrySend("PING") == "+PONG") return server;
            Thread.Sleep(50);
        }

        server.Dispose();
        throw new InvalidOperationException($"redis-server did not answer PING within {StartTimeout}: {server.Output}");
    }

    /// <summary>What the server printed, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    void Record(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length < 16_000) _output.AppendLine(line);
        }
    }

    /// <summary>Send one inline command and read the first line of the reply; <see langword="null"/> when the
    /// server cannot be reached. Bounded by a one-second timeout on each side.</summary>
    string? TrySend(string command)
    {
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(IPAddress.Loopback, Port).Wait(TimeSpan.FromSeconds(1))) return null;
            using var stream = client.GetStream();
            stream.ReadTimeout = stream.WriteTimeout = 1000;
            var bytes = Encoding.ASCII.GetBytes(command + "\r\n");
            stream.Write(bytes, 0, bytes.Length);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return reader.ReadLine();
        }
        catch (Exception ex) when (ex is SocketException or IOException or AggregateException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        try
        {
            if (!_process.HasExited)
            {
                TrySend("SHUTDOWN NOSAVE");
                if (!_process.WaitForExit(StopTimeout)) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(StopTimeout);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the checks.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
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

    static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
