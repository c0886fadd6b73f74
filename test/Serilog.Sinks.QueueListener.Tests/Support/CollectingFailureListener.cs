using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Records every failure reported to it.
/// </summary>
class CollectingFailureListener : ILoggingFailureListener
{
    readonly object _sync = new();
    readonly List<Failure> _failures = [];

    public record Failure(object Sender, LoggingFailureKind Kind, string Message, IReadOnlyList<LogEvent> Events, Exception? Exception);

    public IReadOnlyList<Failure> Failures
    {
        get
        {
            lock (_sync) return _failures.ToList();
        }
    }

    public IReadOnlyList<LogEvent> FailedEvents => Failures.SelectMany(f => f.Events).ToList();

    /// <summary>The events reported as not written, leaving out one a shutdown reports as possibly written (it was
    /// in a sink that had not returned).</summary>
    public IReadOnlyList<LogEvent> NotWrittenEvents =>
        Failures.Where(f => !f.Message.Contains(PossiblyWritten, StringComparison.Ordinal)).SelectMany(f => f.Events).ToList();

    /// <summary>The events a shutdown reports as possibly written: each was in a sink that had not returned.</summary>
    public IReadOnlyList<LogEvent> PossiblyWrittenEvents =>
        Failures.Where(f => f.Message.Contains(PossiblyWritten, StringComparison.Ordinal)).SelectMany(f => f.Events).ToList();

    const string PossiblyWritten = "may or may not be written";

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        lock (_sync)
        {
            _failures.Add(new Failure(sender, kind, message, events?.ToList() ?? [], exception));
        }
    }
}
