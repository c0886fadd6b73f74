using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// The parent's side of one producer process: this benchmark's own assembly run with <c>dotnet</c> and the hidden
/// <see cref="ProducerCommand"/>, spoken to by lines on its standard input and output. Its standard error (SelfLog,
/// an exception) is kept for the failure message. Disposing it kills the process if it has not ended.
/// </summary>
sealed class ProducerProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _errors = new();

    ProducerProcess(Process process, int producer)
    {
        _process = process;
        Producer = producer;
    }

    public int Producer { get; }

    /// <param name="redis">The server's configuration string.</param>
    /// <param name="streamKey">The stream the producer writes to.</param>
    /// <param name="configuration">How it logs.</param>
    /// <param name="events">Its measured calls.</param>
    /// <param name="rate">The rate over all producers, or <see langword="null"/> for as fast as it can.</param>
    /// <param name="producer">Its number, from zero.</param>
    /// <param name="producers">How many producers share the run.</param>
    /// <param name="warmUp">How long it warms up at least.</param>
    /// <param name="maxWarmUp">How long it warms up at most.</param>
    /// <param name="shards">The keys the stream is spread over (<c>shards</c>).</param>
    public static ProducerProcess Start(string redis, string streamKey, ProducerConfiguration configuration, int events,
        int? rate, int producer, int producers, TimeSpan warmUp, TimeSpan maxWarmUp, int shards = 1)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(ProducerProcess).Assembly.Location);
        foreach (var argument in new[]
                 {
                     ProducerCommand.Name, redis, streamKey, configuration.ToString(),
                     events.ToString(CultureInfo.InvariantCulture),
                     rate?.ToString(CultureInfo.InvariantCulture) ?? "max",
                     producer.ToString(CultureInfo.InvariantCulture), producers.ToString(CultureInfo.InvariantCulture),
                     ((int)warmUp.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                     ((int)maxWarmUp.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                     shards.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The producer process did not start.");
        var child = new ProducerProcess(process, producer);
        process.ErrorDataReceived += (_, e) => child.RecordError(e.Data);
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Start <paramref name="producers"/> producers, numbered from zero, into <paramref name="started"/> (which
    /// the caller disposes, whether this returns or throws).</summary>
    public static void StartAll(List<ProducerProcess> started, string redis, string streamKey,
        ProducerConfiguration configuration, int events, int? rate, int producers, TimeSpan warmUp, TimeSpan maxWarmUp,
        int shards = 1)
    {
        for (var p = 0; p < producers; p++)
        {
            started.Add(Start(redis, streamKey, configuration, events, rate, p, producers, warmUp, maxWarmUp, shards));
        }
    }

    /// <summary>Wait for the producer to be warmed up.</summary>
    /// <returns>How many warm-up calls it made (each an event for the collector, when it writes to Redis).</returns>
    /// <exception cref="InvalidOperationException">When it does not say so in time, or says something else.</exception>
    public long WaitUntilReady(TimeSpan timeout)
    {
        var line = ReadLine(timeout);
        if (!line.StartsWith(ProducerCommand.Ready + " ", StringComparison.Ordinal)) throw Failure($"said '{line}' instead of {ProducerCommand.Ready}");
        return long.Parse(line[(ProducerCommand.Ready.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Release the producer; when paced, its schedule begins at <paramref name="start"/>.</summary>
    public void Go(long start)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ProducerCommand.Go} {start}"));
        _process.StandardInput.Flush();
    }

    /// <exception cref="InvalidOperationException">When no result comes in time.</exception>
    public ProducerResult WaitForResult(TimeSpan timeout)
    {
        var line = ReadLine(timeout);
        try
        {
            return ProducerResult.Parse(line);
        }
        catch (FormatException ex)
        {
            throw Failure(ex.Message);
        }
    }

    public void Dispose()
    {
        try
        {
            // Ours, and of no use once the run is over or has failed.
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        _process.Dispose();
    }

    string ReadLine(TimeSpan timeout)
    {
        var reading = _process.StandardOutput.ReadLineAsync();
        if (!reading.Wait(timeout)) throw Failure($"did not answer within {timeout.TotalSeconds:F0} s");
        return reading.Result ?? throw Failure("ended without answering");
    }

    InvalidOperationException Failure(string what)
    {
        string errors;
        lock (_errors) errors = _errors.ToString();
        return new InvalidOperationException($"Producer process {Producer} {what}.{(errors.Length > 0 ? " Its standard error:\n" + errors : "")}");
    }

    void RecordError(string? line)
    {
        if (line is null) return;
        lock (_errors)
        {
            if (_errors.Length < 16_000) _errors.AppendLine(line);
        }
    }

    /// <summary>The <c>dotnet</c> host running this process, so the child runs on the same runtime: this process
    /// itself when it is the host; else what the SDK tells child processes; else the host three folders above the
    /// shared runtime (dotnet/shared/Microsoft.NETCore.App/&lt;version&gt;/).</summary>
    static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && System.IO.File.Exists(hostPath))
        {
            return hostPath;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return System.IO.File.Exists(host) ? host : "dotnet";
    }
}
