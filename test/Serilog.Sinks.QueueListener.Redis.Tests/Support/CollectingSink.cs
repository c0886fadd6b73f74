using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Keeps every event it receives; thread-safe.</summary>
sealed class CollectingSink : ILogEventSink
{
    readonly List<LogEvent> _events = [];

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
            Monitor.PulseAll(_events);
        }
    }

    public List<LogEvent> Events
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    /// <summary>Wait until at least <paramref name="count"/> events have arrived or the timeout passes.</summary>
    public bool WaitFor(int count, TimeSpan timeout) => WaitUntil(events => events.Count >= count, timeout);

    /// <summary>Wait until the events that have arrived satisfy <paramref name="done"/> or the timeout passes.</summary>
    public bool WaitUntil(Func<List<LogEvent>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_events)
        {
            while (!done(_events))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_events, left)) return done(_events);
            }

            return true;
        }
    }
}
