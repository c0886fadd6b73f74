using System.Globalization;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// One cause of failure reports as <see cref="StandardErrorReports"/> counts them: who reported it, its kind, and its
/// message as first reported; how many reports and events since the start (or the last summary), and since the last
/// line written about it. Used under the lock of <see cref="StandardErrorReports"/>.
/// </summary>
sealed class ReportedCause
{
    readonly string _sender;
    readonly LoggingFailureKind _kind;
    readonly string _message;

    long _lastLineAt;
    bool _written;
    long _unwrittenReports;
    long _unwrittenEvents;

    public ReportedCause(string sender, LoggingFailureKind kind, string message)
    {
        _sender = sender;
        _kind = kind;
        _message = message;
    }

    /// <summary>Reports of this cause since the start, or the last summary.</summary>
    public long Reports { get; private set; }

    /// <summary>Events those reports carried.</summary>
    public long Events { get; private set; }

    public void Add(int events)
    {
        Reports++;
        Events += events;
        _unwrittenReports++;
        _unwrittenEvents += events;
    }

    /// <summary>Whether a line about this cause is due at <paramref name="now"/>: the first report of it at once,
    /// later ones at most once per <paramref name="interval"/>.</summary>
    public bool IsLineDue(long now, long interval) => !_written || now - _lastLineAt >= interval;

    /// <summary>The line about the reports since the last one, which it accounts for.</summary>
    public string TakeLine(long now, Exception? exception)
    {
        var line = _written
            ? string.Format(CultureInfo.InvariantCulture, "{0} ({1}): {2:N0} more reports, {3:N0} events, since the last line like: {4}",
                _sender, Kind, _unwrittenReports, _unwrittenEvents, _message)
            : string.Format(CultureInfo.InvariantCulture, "{0} ({1}): {2}{3}", _sender, Kind, _message, Describe(exception));
        _written = true;
        _lastLineAt = now;
        _unwrittenReports = 0;
        _unwrittenEvents = 0;
        return line;
    }

    /// <summary>The summary's line about this cause.</summary>
    public string SummaryLine() => string.Format(CultureInfo.InvariantCulture, "  {0:N0} events in {1:N0} reports: {2} ({3}): {4}",
        Events, Reports, _sender, Kind, _message);

    string Kind => _kind.ToString().ToLowerInvariant();

    /// <summary>The exception's type and message, not its stack: a line, not a dump.</summary>
    static string Describe(Exception? exception) =>
        exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]";
}
