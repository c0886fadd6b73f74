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

            Assert.That(child.WaitForExit(ChildTimeout), Is.True, $"the child did not end: {stderr.Result}");
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
}
