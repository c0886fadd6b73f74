using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Keeps every failure reported to it, with its events; thread-safe.</summary>
sealed class CollectingFailureListener : ILoggingFailureListener
{
    readonly List<(LoggingFailureKind Kind, string Message, Exception? Exception, IReadOnlyCollection<LogEvent> Events, object Sender)> _failures = [];

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events,
        Exception? exception)
    {
        lock (_failures)
        {
            _failures.Add((kind, message, exception, events is null ? [] : [.. events], sender));
            Monitor.PulseAll(_failures);
        }
    }

    public List<(LoggingFailureKind Kind, string Message, Exception? Exception, IReadOnlyCollection<LogEvent> Events, object Sender)> Failures
    {
        get
        {
            lock (_failures) return [.. _failures];
        }
    }

    /// <summary>Wait until a failure whose message contains <paramref name="text"/> arrives or the timeout passes.</summary>
    public bool WaitFor(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_failures)
        {
            while (!_failures.Any(f => f.Message.Contains(text, StringComparison.Ordinal)))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_failures, left)) return _failures.Any(f => f.Message.Contains(text, StringComparison.Ordinal));
            }

            return true;
        }
    }
}
