using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serilog.Sinks.QueueListener.Testing;

/// <summary>
/// Runs a <c>redis-server</c> process of one's own: on loopback only, on a free port, in a directory of its own,
/// without snapshots; and talks to it without a client library (one inline command, the first line of its reply),
/// so that starting and stopping never depend on the code under test. Shared by the Redis tests and the benchmark's
/// Redis mode, linked into each.
/// </summary>
static class RedisProcess
{
    /// <summary>Where <c>redis-server</c> is, or <see langword="null"/> when it is not on the PATH.</summary>
    public static string? FindExecutable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (directory.Length == 0) continue;
            var candidate = Path.Combine(directory, "redis-server");
            if (System.IO.File.Exists(candidate)) return candidate;
        }

        return null;
    }

    /// <summary>A loopback port free when asked; it may be taken before the server binds it, so callers try
    /// again on another.</summary>
    public static int FreeLoopbackPort()
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

    /// <summary>Start the server; what it prints goes to <paramref name="output"/>, line by line, so that a chatty
    /// server never blocks on a full pipe. <paramref name="settings"/> are more settings as <c>--name value</c>
    /// arguments, after the others; <paramref name="configFile"/>, when given, is read first (a sentinel needs one
    /// it can rewrite).</summary>
    /// <exception cref="InvalidOperationException">When the process does not start.</exception>
    public static Process Launch(string executable, string directory, int port, bool appendOnly, Action<string?> output,
        IReadOnlyList<string>? settings = null, string? configFile = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        if (configFile is not null) info.ArgumentList.Add(configFile);
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                     "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--protected-mode", "yes",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in settings ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, e) => output(e.Data);
        process.ErrorDataReceived += (_, e) => output(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Wait until the server answers <c>PING</c>.</summary>
    /// <exception cref="InvalidOperationException">When it exits first, or does not answer within
    /// <paramref name="timeout"/>; the message ends with <paramref name="describe"/>'s text.</exception>
    public static void WaitUntilAnswering(Process process, int port, TimeSpan timeout, Func<string> describe)
    {
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < timeout)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {describe()}");
            if (Send(port, "PING") == "+PONG")
            {
                // Another server may have taken the port between the look and the bind (a test run starts several),
                // and answer for ours, which then exits: the caller must try another port, not talk to a stranger.
                var answering = ProcessIdOf(port);
                if (answering == process.Id) return;
                if (answering is not null)
                {
                    if (!process.HasExited) process.Kill(entireProcessTree: true);
                    throw new InvalidOperationException($"port {port} is another redis-server's (process {answering}): {describe()}");
                }
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException($"redis-server did not answer PING within {timeout}: {describe()}");
    }

    /// <summary>Shut the server down as an operator would (<c>SHUTDOWN NOSAVE</c>; an append-only file is flushed),
    /// then by force: the process is ours, so killing it is ours to do.</summary>
    public static void Stop(Process process, int port, TimeSpan timeout)
    {
        try
        {
            if (process.HasExited) return;
            Send(port, "SHUTDOWN NOSAVE");
            if (!process.WaitForExit(timeout)) process.Kill(entireProcessTree: true);
            process.WaitForExit(timeout);
        }
        catch (InvalidOperationException)
        {
            // It exited between the checks.
        }
    }

    /// <summary>Send one inline command and read the first line of the reply; <see langword="null"/> when the
    /// server cannot be reached. Bounded by a one-second timeout on each side.</summary>
    public static string? Send(int port, string command) => Ask(port, command, reader => reader.ReadLine());

    /// <summary>The process id the server on <paramref name="port"/> gives in <c>INFO server</c>; <see langword="null"/>
    /// when it cannot be reached or read within a second on each side.</summary>
    static int? ProcessIdOf(int port) => Ask(port, "INFO server", static reader =>
    {
        for (var line = reader.ReadLine(); line is not null && line.Length > 0; line = reader.ReadLine())
        {
            if (line.StartsWith("process_id:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan("process_id:".Length), NumberStyles.None, CultureInfo.InvariantCulture);
            }
        }

        return (int?)null;
    });

    /// <summary>Send one inline command and read the reply with <paramref name="read"/>; the default of
    /// <typeparamref name="T"/> when the server cannot be reached or the reply read.</summary>
    static T? Ask<T>(int port, string command, Func<StreamReader, T?> read)
    {
        try
        {
            using var client = new TcpClient();
            if (!client.ConnectAsync(IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(1))) return default;
            using var stream = client.GetStream();
            stream.ReadTimeout = stream.WriteTimeout = 1000;
            var bytes = Encoding.ASCII.GetBytes(command + "\r\n");
            stream.Write(bytes, 0, bytes.Length);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return read(reader);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AggregateException or FormatException)
        {
            return default;
        }
    }

    /// <summary>Delete the server's directory; a file a server that would not die still holds is left to the
    /// OS's temp clean-up.</summary>
    public static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
