using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Visibility;

/// <summary>
/// What an application written as a newcomer writes it (no SelfLog, no failure listener of its own) shows when
/// events are lost: each run in a child process, whose standard error and exit are the point.
/// </summary>
public class DefaultAppVisibilityTests
{
    const string Prefix = "[Serilog.Sinks.QueueListener] ";
    static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public void ASinkThatFailsEveryEventIsShownOnStandardErrorWithASummaryOfTheCount()
    {
        var run = RunChild("throwing", 100);

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        var ours = run.OurLines;
        Assert.That(ours, Has.Some.Contains("failed emitting an event to the sink").And.Contains("the service behind this sink is gone"));
        Assert.That(ours, Has.Some.Contains("has shut down: 100 events handed to its sinks, 100 failures in a sink"));
        Assert.That(run.SummaryEvents, Is.EqualTo(100), run.StandardError);
        Assert.That(run.StandardError, Does.Contain("SelfLog.Enable").And.Contain("reportToStandardError: false"));
    }

    [Test]
    public void AFloodOfFailuresWritesAFewLinesASecondAndCountsTheRest()
    {
        var stopwatch = Stopwatch.StartNew();
        var run = RunChild("throwing", 300_000);
        var seconds = Math.Ceiling(stopwatch.Elapsed.TotalSeconds);

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        Assert.That(run.SummaryEvents, Is.EqualTo(300_000), run.StandardError);

        // A burst of 5, then 2 a second (the child's whole life bounds the time lines could be written in), plus the
        // hint once and the summary of one cause with its hint.
        var bound = 5 + (2 * seconds) + 1 + 3;
        Assert.That(run.Lines, Has.Count.LessThanOrEqualTo(bound), run.StandardError);
    }

    [Test]
    public void DroppedEventsAreShownAndCountedSoThatWrittenPlusDroppedIsEveryEvent()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        const int events = 1000;

        var run = RunChild("dropping", events, path);

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        var written = System.IO.File.ReadAllLines(path).Length;
        Assert.That(run.OurLines, Has.Some.Contains("(permanent)").And.Contains("dropped"));
        Assert.That(run.OurLines, Has.Some.Contains(string.Format(CultureInfo.InvariantCulture, "dropped by its full mode")));
        Assert.That(written + run.SummaryEvents, Is.EqualTo(events), run.StandardError);
    }

    [Test]
    public void ReportToStandardErrorFalseKeepsTheApplicationSilent()
    {
        var run = RunChild("throwing-quiet", 100);

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.StandardError, Is.Empty);
    }

    [Test]
    public void WithSelfLogEnabledFailuresGoThereAndAreNotShownTwice()
    {
        var run = RunChild("throwing-selflog", 100);

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.StandardError, Does.Contain("failed emitting an event to the sink"));
        Assert.That(run.OurLines, Is.Empty, run.StandardError);
    }

    [Test]
    public void AnExitDrainThatRunsOutSaysSoAndAccountsForEveryEvent()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        const int events = 10_000;

        var run = RunChild("slow", events, path);

        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        var written = System.IO.File.ReadAllLines(path);
        Assert.That(written, Has.Length.LessThan(events), "the drain was expected to run out: make the sink slower");
        Assert.That(run.OurLines, Has.Some.Contains("did not drain the queue within 00:00:05"));
        Assert.That(run.StandardError, Does.Not.Contain("while the event was being enqueued"),
            "events the drain left behind are put down to producers racing disposal");
        Assert.That(run.OurLines, Has.Some.Contains(string.Format(CultureInfo.InvariantCulture, "has shut down: {0:N0} events handed to its sinks", written.Length)));

        // Each event was written or reported; the one in the sink as the drain gave up may be both.
        Assert.That(written.Length + run.SummaryEvents, Is.InRange(events, events + 1), run.StandardError);
    }

    [Test]
    public void AProducerWaitingOnAQueueWhoseListenerNeverStartedIsShownWithinSeconds()
    {
        using var folder = new TempFolder();
        using var child = ProcessExitApp.Start(folder.AllocateFilename(), "0", "stalled");
        try
        {
            var logged = child.StandardOutput.ReadLineAsync();
            Assert.That(logged.Wait(ChildTimeout), Is.True, "the child did not start logging");
            Assert.That(logged.Result, Is.EqualTo("logged 10"));

            var stopwatch = Stopwatch.StartNew();
            var line = child.StandardError.ReadLineAsync();
            Assert.That(line.Wait(Timeouts.Signal), Is.True, "nothing was shown while the producer waited");
            Assert.That(line.Result, Does.StartWith(Prefix).And.Contain("producers have waited").And.Contain("no listener is running"));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));

            // Block mode keeps its promise: the producer still waits.
            Assert.That(child.HasExited, Is.False);
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    static ChildRun RunChild(string scenario, int events, string? path = null)
    {
        using var folder = new TempFolder();
        using var child = ProcessExitApp.Start(path ?? folder.AllocateFilename(), events.ToString(CultureInfo.InvariantCulture), scenario);
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = child.StandardOutput.ReadToEndAsync();
        if (!child.WaitForExit(ChildTimeout))
        {
            child.Kill();
            Assert.Fail($"the child did not exit: {stderr.Result}");
        }

        child.WaitForExit();
        _ = stdout.Result;
        return new ChildRun(child.ExitCode, stderr.Result);
    }

    sealed record ChildRun(int ExitCode, string StandardError)
    {
        public IReadOnlyList<string> Lines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        public IReadOnlyList<string> OurLines => Lines.Where(l => l.StartsWith(Prefix, StringComparison.Ordinal)).ToList();

        /// <summary>The events the shutdown summary counts over every cause.</summary>
        public long SummaryEvents => Lines
            .Select(l => Regex.Match(l, @"^  ([\d,]+) events in [\d,]+ reports:"))
            .Where(m => m.Success)
            .Sum(m => long.Parse(m.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
    }
}
