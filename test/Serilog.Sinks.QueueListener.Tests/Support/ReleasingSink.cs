using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A sink whose destination is away: it holds what it is given, writes nothing, and once it holds
/// <c>capacity</c> events its <see cref="Emit"/> waits for room, until <see cref="ReleaseHeld"/> hands everything
/// back, the waiting event included. Optionally it hangs in <see cref="ReleaseHeld"/>'s aftermath instead of
/// returning from the waiting <see cref="Emit"/>, to keep the listener thread stuck after the release.
/// </summary>
sealed class ReleasingSink(int capacity, bool stayStuck = false) : ILogEventSink, IHoldingSink, IDisposable
{
    readonly object _lock = new();
    readonly List<LogEvent> _held = [];
    readonly ManualResetEventSlim _stuck = new(false);
    LogEvent? _waiting;
    bool _released;

    public int ReleaseCount { get; private set; }

    public bool WaitUntilFull(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (_waiting is null)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left)) return _waiting is not null;
            }

            return true;
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            if (_released) throw new InvalidOperationException("emitted after the release");
            if (_held.Count < capacity)
            {
                _held.Add(logEvent);
                return;
            }

            _waiting = logEvent;
            Monitor.PulseAll(_lock);
            while (!_released) Monitor.Wait(_lock);
        }

        // Handed back: the listener accounts for it. A sink that stays stuck keeps the listener thread here.
        if (stayStuck) _stuck.Wait();
    }

    public IReadOnlyCollection<LogEvent> ReleaseHeld()
    {
        lock (_lock)
        {
            ReleaseCount++;
            List<LogEvent> held = [.. _held];
            if (_waiting is { } waiting) held.Add(waiting);
            _held.Clear();
            _waiting = null;
            _released = true;
            Monitor.PulseAll(_lock);
            return held;
        }
    }

    /// <summary>It writes nothing: the wait ends only when everything is handed back.</summary>
    public bool WaitUntilWritten()
    {
        lock (_lock)
        {
            while (!_released) Monitor.Wait(_lock);
            return false;
        }
    }

    public void Dispose() => _stuck.Set();
}
