using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A collecting sink that logs back through the logger it writes for (set once that logger exists), so on the
/// listener thread: for each event it receives, <c>logBack</c> decides what, if anything, to log.
/// </summary>
class LoggingBackSink(Action<ILogger, LogEvent> logBack) : CollectingSink
{
    /// <summary>The logger to log back through; set before the first event is logged.</summary>
    public ILogger? Logger { get; set; }

    public override void Emit(LogEvent logEvent)
    {
        base.Emit(logEvent);
        if (Logger is { } logger) logBack(logger, logEvent);
    }
}
