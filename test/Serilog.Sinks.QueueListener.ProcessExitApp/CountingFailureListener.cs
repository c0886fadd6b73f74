using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>Counts the events reported to it, and keeps each distinct message with its exception's message.</summary>
sealed class CountingFailureListener : ILoggingFailureListener
{
    readonly object _sync = new();
    readonly HashSet<string> _messages = [];
    int _events;

    public int Events
    {
        get
        {
            lock (_sync) return _events;
        }
    }

    public List<string> Messages
    {
        get
        {
            lock (_sync) return [.. _messages];
        }
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events,
        Exception? exception)
    {
        lock (_sync)
        {
            _events += events?.Count ?? 0;
            _messages.Add($"({kind}) {message} [{exception?.Message}]");
        }
    }
}
