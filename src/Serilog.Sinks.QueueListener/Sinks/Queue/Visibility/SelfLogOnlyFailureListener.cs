using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Serilog's default failure listener under another name: reports go to <see cref="SelfLog"/> only, and not to
/// standard error. What <c>WriteTo.Queue(reportToStandardError: false)</c> sets, so that the whole pipeline keeps
/// Serilog's convention of silence.
/// </summary>
sealed class SelfLogOnlyFailureListener : ILoggingFailureListener
{
    public static readonly SelfLogOnlyFailureListener Instance = new();

    SelfLogOnlyFailureListener()
    {
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events,
        Exception? exception) =>
        SelfLog.FailureListener.OnLoggingFailed(sender, kind, message, events, exception);
}
