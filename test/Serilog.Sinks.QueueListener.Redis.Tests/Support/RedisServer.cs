using System.Diagnostics;
using System.Text;
using Serilog.Sinks.QueueListener.Testing;

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
sealed partial class RedisServer : IDisposable
{
    public const string InstallCommand = "apt-get update && apt-get install -y redis-server";
    const string RequireVariable = "QUEUELISTENER_REQUIRE_REDIS";

    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    static readonly Lock SharedLock = new();
    static RedisServer? _shared;
    static string? _sharedFailure;

    readonly string _executable;
    readonly string _directory;
    readonly bool _appendOnly;
    string[] _settings;
    readonly StringBuilder _output = new();
    Process _process = null!;
    int _disposed;

    /// <summary>The configuration file read first, in the server's directory, or <see langword="null"/>.</summary>
    readonly string? _configFile;

    RedisServer(string executable, string directory, int port, bool appendOnly, string[] settings, string? configText = null)
    {
        if (configText is not null)
        {
            _configFile = Path.Combine(directory, "redis.conf");
            File.WriteAllText(_configFile, configText);
        }

        _executable = executable;
        _directory = directory;
        _appendOnly = appendOnly;
        _settings = settings;
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
    /// <param name="settings">More settings, as <c>--name value</c> arguments (<c>"--enable-debug-command",
    /// "local"</c>, say); a restart keeps them.</param>
    public static RedisServer Start(bool appendOnly = false, params string[] settings) => StartTrying(appendOnly, settings, null);

    /// <summary>Start a server with <paramref name="configText"/> (given the port chosen) as its configuration
    /// file, on a free port, trying another when the port is taken first.</summary>
    static RedisServer StartTrying(bool appendOnly, string[] settings, Func<int, string>? configText)
    {
        var executable = RequireInstalled();

        // A port is free when we look and may be taken before redis binds it: then try another.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return StartOn(executable, FreeLoopbackPort(), appendOnly, settings, configText);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("redis-server did not start.", last);
    }

    /// <summary>Start a server of one's own that requires <paramref name="password"/> (<c>requirepass</c>), set once
    /// it answers, since the start-up check's <c>PING</c> carries none.</summary>
    public static RedisServer StartRequiringPassword(string password)
    {
        var server = Start();
        var reply = RedisProcess.Send(server.Port, "CONFIG SET requirepass " + password);
        if (reply != "+OK")
        {
            server.Dispose();
            throw new InvalidOperationException($"redis-server did not take the password: {reply}");
        }

        server._requiresPassword = true;
        return server;
    }

    /// <summary>The path of <c>redis-server</c>; without it, ignores or fails the test (see the remarks above), for a
    /// test that starts one of its own in another way, as the sample script does.</summary>
    public static string RequireInstalled()
    {
        var executable = RedisProcess.FindExecutable();
        if (executable is null)
        {
            var message = $"redis-server is not installed; install it with: {InstallCommand}";
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1") Assert.Fail($"{message} ({RequireVariable}=1)");
            Assert.Ignore(message);
        }

        return executable!;
    }

    static RedisServer StartOn(string executable, int port, bool appendOnly, string[] settings, Func<int, string>? configText)
    {
        var directory = Path.Combine(Path.GetTempPath(), "queuelistener-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var server = new RedisServer(executable, directory, port, appendOnly, settings, configText?.Invoke(port));
        try
        {
            server.Run();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Stop the server as an operator would (<c>SHUTDOWN NOSAVE</c>; the append-only file, when kept, is
    /// flushed), keeping its directory for <see cref="Restart"/>.</summary>
    public void Stop()
    {
        // SHUTDOWN would be refused without the password, and then waited out: a server without snapshots loses
        // nothing by being killed.
        if ((_requiresPassword || _killedToStop) && !_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(StopTimeout);
            return;
        }

        RedisProcess.Stop(_process, Port, StopTimeout);
    }

    /// <summary>Set by <see cref="StartRequiringPassword"/>.</summary>
    bool _requiresPassword;

    /// <summary>Start the stopped server again on the same port and directory.</summary>
    public void Restart()
    {
        _process.Dispose();
        Run();
    }

    void Run()
    {
        _process = RedisProcess.Launch(_executable, _directory, Port, _appendOnly, Record, _settings, _configFile);
        RedisProcess.WaitUntilAnswering(_process, Port, StartTimeout, () => Output);
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;

        try
        {
            if (_process is not null) Stop();
        }
        finally
        {
            _process?.Dispose();
            RedisProcess.DeleteDirectory(_directory);
        }
    }

    public static int FreeLoopbackPort() => RedisProcess.FreeLoopbackPort();
}
