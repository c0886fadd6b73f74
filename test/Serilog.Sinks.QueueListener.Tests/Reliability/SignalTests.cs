using System.Diagnostics;
using System.Globalization;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// The README's Ctrl-C and SIGTERM section, tried on a child process: 2,000 events logged into a sink that writes one
/// a millisecond, then the signal. A plain console app loses what is still queued; the README's handlers keep it all.
/// </summary>
public class SignalTests
{
    const int Events = 2000;
    static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    public void AnAppThatDoesNotHandleTheSignalLosesWhatIsStillQueued(string signal, int exitCode)
    {
        var (status, written) = RunAndSignal("signal-unhandled", signal);

        TestContext.Out.WriteLine($"SIG{signal}, unhandled: {written} of {Events} events in the file");
        Assert.That(status, Is.EqualTo(exitCode));
        Assert.That(written, Is.LessThan(Events));
    }

    [TestCase("INT", 130)]
    [TestCase("TERM", 143)]
    public void TheReadmesHandlersWriteEveryEventBeforeTheSignalEndsTheApp(string signal, int exitCode)
    {
        var (status, written) = RunAndSignal("signal-handled", signal);

        TestContext.Out.WriteLine($"SIG{signal}, handled: {written} of {Events} events in the file");
        Assert.That(status, Is.EqualTo(exitCode));

        // Every event, in order, and the handler's own line behind them.
        Assert.That(written, Is.EqualTo(Events + 1));
    }

    static (int ExitCode, int Written) RunAndSignal(string scenario, string signal)
    {
        // A child inherits the signals its parent ignores, and the runtime leaves them ignored: a test host started in
        // the background by a non-interactive shell ignores SIGINT, and so would the child, which then never ends.
        Assert.That(signal == "INT" && IgnoresSigint(), Is.False,
            "this test process ignores SIGINT (started in the background by a non-interactive shell?), and so would the child: run the tests from a foreground shell");

        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        using var child = ProcessExitApp.Start(path, Events.ToString(CultureInfo.InvariantCulture), scenario);
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            var logged = child.StandardOutput.ReadLineAsync();
            Assert.That(logged.Wait(ChildTimeout), Is.True, "the child did not log");
            Assert.That(logged.Result, Is.EqualTo("logged"));

            using (var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {child.Id}") { UseShellExecute = false })!)
            {
                kill.WaitForExit();
                Assert.That(kill.ExitCode, Is.Zero, "kill failed");
            }

            if (!child.WaitForExit(ChildTimeout))
            {
                // Killed first: its standard error ends only with it, and the message must not wait for a live child.
                child.Kill();
                Assert.Fail($"the child did not end after SIG{signal}: {StandardErrorOf(child, stderr)}");
            }

            child.WaitForExit();
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }

        var lines = System.IO.File.ReadAllLines(path);
        var events = lines.Where(l => l.StartsWith("Event ", StringComparison.Ordinal)).ToList();
        Assert.That(events, Is.EqualTo(Enumerable.Range(0, events.Count).Select(i => $"Event {i}")), "the file holds the events in order");
        return (child.ExitCode, lines.Length);
    }

    /// <summary>Whether bit 2 (SIGINT) is set in the mask of ignored signals of this process (Linux).</summary>
    static bool IgnoresSigint()
    {
        var line = System.IO.File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & 0b10) != 0;
    }

    static string StandardErrorOf(Process child, Task<string> stderr)
    {
        child.WaitForExit(ChildTimeout);
        return stderr.Wait(ChildTimeout) ? stderr.Result : "(its standard error did not end)";
    }
}
