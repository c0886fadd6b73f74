using System.Globalization;
using Serilog.Core;
using Serilog.Events;

/// <summary>Counts what is reported to it: every report, the events in them, and the distinct events among those (by
/// their Sequence property).</summary>
sealed class ReportedEvents : ILoggingFailureListener
{
    readonly HashSet<int> _sequences = [];
    int _total;
    int _reports;

    public int Reports
    {
        get
        {
            lock (_sequences) return _reports;
        }
    }

    public int Total
    {
        get
        {
            lock (_sequences) return _total;
        }
    }

    public int Distinct
    {
        get
        {
            lock (_sequences) return _sequences.Count;
        }
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events,
        Exception? exception)
    {
        Console.Error.WriteLine($"{kind}: {message}");
        lock (_sequences)
        {
            _reports++;
            if (events is null) return;
            foreach (var logEvent in events)
            {
                _total++;
                if (logEvent.Properties.TryGetValue("Sequence", out var value))
                {
                    _sequences.Add(int.Parse(value.ToString(), CultureInfo.InvariantCulture));
                }
            }
        }
    }
}
