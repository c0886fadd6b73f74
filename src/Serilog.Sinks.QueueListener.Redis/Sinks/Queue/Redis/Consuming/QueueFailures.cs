using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Where the parts of a <see cref="RedisStreamQueue"/> report what goes wrong: the failure listener set on the queue,
/// through the core's one reporting path (<see cref="FailureReporting.Report"/>), with the queue as the sender.
/// </summary>
/// <remarks>The listener is set during configuration, before the queue's listener starts, and read by every part on
/// whatever thread it reports from (the listener's, an acknowledgement's continuation, the disposing thread); a
/// volatile field, so a listener set late is seen by the next report rather than never.</remarks>
sealed class QueueFailures
{
    readonly object _sender;
    volatile ILoggingFailureListener _listener = SelfLog.FailureListener;

    /// <param name="sender">The queue, named as the sender of every report.</param>
    public QueueFailures(object sender)
    {
        _sender = sender;
    }

    public ILoggingFailureListener Listener
    {
        set => _listener = value;
    }

    public void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
        _listener.Report(_sender, kind, message, events, exception);

    /// <summary>As <see cref="Report(LoggingFailureKind, string, IReadOnlyCollection{LogEvent}?, Exception?)"/>,
    /// with no events.</summary>
    public void Report(LoggingFailureKind kind, string message, Exception? exception) =>
        Report(kind, message, null, exception);
}
