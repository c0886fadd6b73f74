using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener subclass that records the calls to its overridable members, in order, with their threads, and can be
/// told to throw from <see cref="Prepare"/>.
/// </summary>
class RecordingListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    readonly object _sync = new();
    readonly List<string> _calls = [];

    public Func<LogEvent, LogEvent>? OnPrepare { get; set; }

    public int SentinelsEnqueued { get; private set; }

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_sync) return _calls.ToList();
        }
    }

    public int? PrepareThreadId { get; private set; }

    protected override LogEvent Prepare(LogEvent logEvent)
    {
        lock (_sync) _calls.Add($"prepare {Some.SequenceOf(logEvent)}");
        PrepareThreadId = Environment.CurrentManagedThreadId;
        return OnPrepare is null ? base.Prepare(logEvent) : OnPrepare(logEvent);
    }

    protected override void EnqueueSentinel()
    {
        SentinelsEnqueued++;
        base.EnqueueSentinel();
    }
}
