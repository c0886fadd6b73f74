using System.Diagnostics;
using System.Globalization;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// Child processes (the ProcessExitApp's <c>durable-kill</c> scenario) killed with SIGKILL at random moments while
/// they log as fast as they can into a small spool, each run also writing what the runs before it left; then a last
/// run drains the spool. Every event whose <c>Emit</c> had returned before its process was killed must be written at
/// least once. The duplicates (events written, then written again because the kill came before the checkpoint moved)
/// are counted and shown.
/// </summary>
public class DurableKillTests
{
    const int Kills = 50;

    /// <summary>How long after a child says it is ready it is killed, at most: long enough for a few segments to be
    /// written, rolled over and deleted.</summary>
    const int MaxKillDelayMilliseconds = 120;

    [Test]
    public void EveryEventWhoseEmitReturnedBeforeASigkillIsWrittenAfterTheRestart()
    {
        using var folder = new TempFolder();
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var lastReturned = new long[Kills + 1];
        var stopwatch = Stopwatch.StartNew();

        for (var run = 1; run <= Kills; run++)
        {
            using var child = ProcessExitApp.Start(folder.Path, run.ToString(CultureInfo.InvariantCulture), "durable-kill");
            var stderr = child.StandardError.ReadToEndAsync();
            var ready = child.StandardOutput.ReadLineAsync();
            Assert.That(ready.Wait(Timeouts.Signal), Is.True, $"run {run} did not start");
            Assert.That(ready.Result, Is.EqualTo("ready"), $"run {run} did not log");

            // The moment of the kill is what the test varies; nothing is asserted after this wait but through what the
            // child recorded.
            Thread.Sleep(random.Next(MaxKillDelayMilliseconds));
            child.Kill();
            Assert.That(child.WaitForExit(Timeouts.Signal), Is.True);
            lastReturned[run] = ReadProgress(folder.Path, run);
        }

        using (var drain = ProcessExitApp.Start(folder.Path, "0", "durable-drain"))
        {
            var stderr = drain.StandardError.ReadToEndAsync();
            Assert.That(drain.WaitForExit(Timeouts.Signal), Is.True, "the draining run did not end");
            Assert.That(drain.ExitCode, Is.Zero, () => stderr.Result);
            var reports = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            TestContext.Out.WriteLine($"the draining run reported {reports.Length} lines on standard error");
            foreach (var report in reports.Take(10)) TestContext.Out.WriteLine("  " + report);
        }

        var written = Written(folder.Path, out var redeliveredLines, out var unreadableLines);
        var missing = Enumerable.Range(1, Kills)
            .SelectMany(run => Enumerable.Range(0, (int)(lastReturned[run] + 1)).Select(sequence => (run, (long)sequence)))
            .Where(key => !written.ContainsKey(key))
            .ToList();
        var returned = lastReturned.Skip(1).Sum(last => last + 1);
        var duplicates = written.Values.Sum(count => count - 1);
        TestContext.Out.WriteLine(
            $"{Kills} kills in {stopwatch.Elapsed.TotalSeconds:F1} s; {returned:N0} events returned from Emit before the kills, " +
            $"{written.Count:N0} distinct events written, {duplicates:N0} duplicates ({redeliveredLines:N0} lines marked QueueRedelivered), " +
            $"{unreadableLines} lines cut short by a kill, {missing.Count} missing");

        Assert.That(missing.Take(10), Is.Empty, $"{missing.Count} events returned from Emit and were never written");
        Assert.That(redeliveredLines, Is.GreaterThan(0),
            "no kill landed between a batch's write and its checkpoint, so the test showed little of the restart");
    }

    static long ReadProgress(string folder, int run)
    {
        var bytes = System.IO.File.ReadAllBytes(Path.Combine(folder, $"progress-{run}"));
        return BitConverter.ToInt64(bytes, 0);
    }

    /// <summary>How many times each (run, sequence) was written; a line a kill cut short is counted apart.</summary>
    static Dictionary<(int Run, long Sequence), int> Written(string folder, out int redelivered, out int unreadable)
    {
        var written = new Dictionary<(int, long), int>();
        redelivered = 0;
        unreadable = 0;
        foreach (var line in LogFile.ReadLines(Path.Combine(folder, "delivered.log")))
        {
            var parts = line.Split(' ');
            var key = parts[0].Split(':');
            if (parts.Length != 2 || key.Length != 2
                || !int.TryParse(key[0], NumberStyles.None, CultureInfo.InvariantCulture, out var run)
                || !long.TryParse(key[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                unreadable++;
                continue;
            }

            if (parts[1] == "True") redelivered++;
            written[(run, sequence)] = written.GetValueOrDefault((run, sequence)) + 1;
        }

        return written;
    }
}
