using System.Diagnostics;
using System.Text;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// A child process whose standard output is kept line by line, to wait on (a line is the child's signal), and whose
/// standard error is kept for failure messages. Disposing it kills the child if it still runs, so a failing test
/// leaves nothing behind. Every wait is bounded.
/// </summary>
sealed class RunningApp : IDisposable
{
    static readonly TimeSpan ExitAfterKill = TimeSpan.FromSeconds(10);

    readonly Process _process;
    readonly List<string> _lines = [];
    readonly StringBuilder _errors = new();
    readonly ManualResetEventSlim _outputClosed = new(false);
    readonly ManualResetEventSlim _errorClosed = new(false);

    /// <summary>Take over <paramref name="process"/>, started with its standard output and error redirected and not
    /// yet read.</summary>
    public RunningApp(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnError(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public List<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <summary>Wait until a line of standard output matches <paramref name="match"/>, or the timeout passes, or the
    /// child exits without printing one.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lines)
        {
            while (!_lines.Any(match))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _outputClosed.IsSet) return false;

                // Pulsed on every line and at the end of the output.
                Monitor.Wait(_lines, left);
            }

            return true;
        }
    }

    /// <summary>Kill the child with SIGKILL (Process.Kill on Unix), and any process it started (a script's), and wait
    /// for it to be gone.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had exited already.
        }

        _process.WaitForExit(ExitAfterKill);
    }

    /// <summary>Hold the child still (<c>SIGSTOP</c>) until <see cref="Continue"/>.</summary>
    public void Stop() => ProcessSignals.Stop(_process.Id);

    /// <summary>Let a child held by <see cref="Stop"/> run again (<c>SIGCONT</c>).</summary>
    public void Continue() => ProcessSignals.Continue(_process.Id);

    /// <summary>Close the child's standard input (started redirected): the collector app's cue to stop.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Wait for the child to exit and its output to have been read, within <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!_process.WaitForExit(timeout)) return false;

        // The timed wait does not wait for the output handlers; the end of each stream says they are done.
        var left = deadline - DateTime.UtcNow;
        return _outputClosed.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero) &&
               _errorClosed.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>Its name, its state, and what it printed, for a failure message.</summary>
    public string Describe()
    {
        string errors;
        lock (_errors) errors = _errors.ToString();
        var lines = Lines;
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
        return $"{Name} ({state}); output: [{string.Join(" | ", lines.TakeLast(20))}]; errors: [{errors}]";
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    void OnLine(string? line)
    {
        lock (_lines)
        {
            if (line is null) _outputClosed.Set();
            else _lines.Add(line);
            Monitor.PulseAll(_lines);
        }
    }

    void OnError(string? line)
    {
        if (line is null)
        {
            _errorClosed.Set();
            return;
        }

        lock (_errors)
        {
            if (_errors.Length < 16_000) _errors.AppendLine(line);
        }
    }
}
