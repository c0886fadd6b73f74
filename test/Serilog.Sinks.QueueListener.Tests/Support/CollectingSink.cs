using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Records every event it receives, with the thread it arrived on; can signal when a number of events arrived.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The signal lives as long as the test.")]
class CollectingSink : ILogEventSink, IDisposable
{
    readonly object _sync = new();
    readonly List<LogEvent> _events = [];
    readonly List<int> _threadIds = [];
    int _expected = int.MaxValue;
    readonly ManualResetEventSlim _reachedExpected = new(false);

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_sync) return _events.ToList();
        }
    }

    public IReadOnlyList<int> ThreadIds
    {
        get
        {
            lock (_sync) return _threadIds.ToList();
        }
    }

    public int DisposeCount { get; private set; }

    public virtual void Emit(LogEvent logEvent)
    {
        lock (_sync)
        {
            _events.Add(logEvent);
            _threadIds.Add(Environment.CurrentManagedThreadId);
            if (_events.Count >= _expected) _reachedExpected.Set();
        }
    }

    /// <summary>Wait until at least <paramref name="count"/> events have arrived.</summary>
    public bool WaitFor(int count, TimeSpan timeout)
    {
        lock (_sync)
        {
            _expected = count;
            if (_events.Count >= count) return true;
            _reachedExpected.Reset();
        }

        return _reachedExpected.Wait(timeout);
    }

    // Only counted: a test may still wait on the sink after the pipeline disposed it.
    public virtual void Dispose() => DisposeCount++;
}
