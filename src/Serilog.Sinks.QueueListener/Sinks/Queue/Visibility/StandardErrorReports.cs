using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Shows on standard error the failures that would otherwise go nowhere: those reported to Serilog's default
/// failure listener (<see cref="SelfLog.FailureListener"/>) while <see cref="SelfLog"/> is off, that is, by a pipeline
/// whose application set no failure listener of its own and did not enable SelfLog. The first report of each cause
/// is written at once; later ones are counted and written as one line per cause per
/// <see cref="RepeatInterval"/>, and never more than <see cref="LineBudget"/> allows in all; a summary of the counts
/// is written when a queue shuts down.
/// </summary>
/// <remarks>
/// <para>Why not Serilog's convention of silence: this package promises that nothing is lost silently, and a report
/// that only SelfLog would show is silent for every application that did not enable it. Python's logging, which this
/// package mirrors, prints a handler's failures to standard error by default for the same reason.</para>
/// <para>Process-wide, as SelfLog is. Lines are written outside the lock, so a slow standard error delays only the
/// thread that writes, never one that only counts.</para>
/// </remarks>
static class StandardErrorReports
{
    const string Prefix = "[Serilog.Sinks.QueueListener] ";

    /// <summary>How often at most a line is written about one cause after its first.</summary>
    static readonly long RepeatInterval = 10 * Stopwatch.Frequency;

    /// <summary>Causes counted apart; beyond this many, further causes are counted together, so that a flood of
    /// distinct messages cannot grow memory.</summary>
    const int MostCauses = 64;

    /// <summary>Digit runs, with their separators: the counts and times a message carries, which do not make a cause
    /// of their own.</summary>
    static readonly Regex Numbers = new(@"\d[\d.,:]*", RegexOptions.CultureInvariant);

    static readonly object Sync = new();

    /// <summary>By sender, kind and message without numbers. Under <see cref="Sync"/>.</summary>
    static readonly Dictionary<string, ReportedCause> Causes = new(StringComparer.Ordinal);

    /// <summary>Under <see cref="Sync"/>.</summary>
    static readonly LineBudget Budget = new();

    /// <summary>Whether the line that says how to get each event, or silence these, has been written. Under
    /// <see cref="Sync"/>.</summary>
    static bool _hintWritten;

    /// <summary>Where the lines go; replaced by tests only.</summary>
    internal static Func<TextWriter> Output { get; set; } = () => Console.Error;

    const string Hint = "  (shown because no failure listener is set and SelfLog is off; for each event with its report, " +
                        "WriteTo.FallbackChain(...) or SelfLog.Enable(Console.Error); to hide these lines, " +
                        "WriteTo.Queue(..., reportToStandardError: false))";

    /// <summary>
    /// Count a report made to <see cref="SelfLog.FailureListener"/>, and write a line about it when one is due.
    /// Never throws.
    /// </summary>
    public static void Record(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events,
        Exception? exception)
    {
        if (SelfLogState.IsEnabled) return;

        List<string>? lines = null;
        var now = Stopwatch.GetTimestamp();

        // Reports come from application threads, whose interrupts are theirs: held back, not taken.
        var interrupted = InterruptDeferral.Enter(Sync);
        try
        {
            var cause = CauseOf(sender, kind, message);
            cause.Add(events?.Count ?? 0);
            if (cause.IsLineDue(now, RepeatInterval) && Budget.TryTake(now))
            {
                lines = [cause.TakeLine(now, exception)];
                if (!_hintWritten)
                {
                    _hintWritten = true;
                    lines.Add(Hint);
                }
            }
        }
        finally
        {
            Monitor.Exit(Sync);
            InterruptDeferral.Restore(interrupted);
        }

        if (lines is not null) Write(lines);
    }

    /// <summary>
    /// At the shutdown of the queue <paramref name="queueName"/>: when anything was reported since the start, or the
    /// last summary, write what the queue did (events handed to the sinks, failures in a sink, drops) and the counts
    /// of each cause, then start counting afresh. Never throws.
    /// </summary>
    public static void Summarize(string queueName, long handled, long sinkFailures, long dropped)
    {
        if (SelfLogState.IsEnabled) return;

        List<string> lines;
        var interrupted = InterruptDeferral.Enter(Sync);
        try
        {
            if (Causes.Count == 0) return;

            var causes = Causes.Values.OrderByDescending(c => c.Events).ThenByDescending(c => c.Reports).ToList();
            lines =
            [
                string.Format(CultureInfo.InvariantCulture,
                    "{0} has shut down: {1:N0} events handed to its sinks, {2:N0} failures in a sink, {3:N0} dropped by its full mode; reported, by cause:",
                    queueName, handled, sinkFailures, dropped),
                .. causes.Select(c => c.SummaryLine()),
                Hint,
            ];
            Causes.Clear();
        }
        finally
        {
            Monitor.Exit(Sync);
            InterruptDeferral.Restore(interrupted);
        }

        Write(lines);
    }

    /// <summary>Forget every count; for tests.</summary>
    internal static void Reset()
    {
        lock (Sync)
        {
            Causes.Clear();
            _hintWritten = false;
        }
    }

    static ReportedCause CauseOf(object sender, LoggingFailureKind kind, string message)
    {
        var name = SenderName(sender);
        var key = string.Concat(name, "\n", kind.ToString(), "\n", Numbers.Replace(message, "#"));
        if (Causes.TryGetValue(key, out var cause)) return cause;

        if (Causes.Count >= MostCauses)
        {
            key = "\nother";
            if (Causes.TryGetValue(key, out cause)) return cause;

            message = "failures of other causes (too many distinct causes to count apart)";
        }

        cause = new ReportedCause(name, kind, message);
        Causes.Add(key, cause);
        return cause;
    }

    static string SenderName(object sender) => sender switch
    {
        QueueListener listener => listener.Name,
        QueueSink { Listener: { } listener } => listener.Name,
        _ => sender.GetType().Name,
    };

    static void Write(List<string> lines)
    {
        try
        {
            var text = new StringBuilder();
            foreach (var line in lines)
            {
                text.Append(line.StartsWith("  ", StringComparison.Ordinal) ? "" : Prefix).AppendLine(line);
            }

            var output = Output();
            output.Write(text.ToString());
            output.Flush();
        }
        catch (Exception)
        {
            // Standard error closed or broken: there is nowhere left to show the failure.
        }
    }
}
