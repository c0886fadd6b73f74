using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener subclass that overrides <see cref="Handle"/> alone, not <see cref="Serilog.Sinks.Queue.QueueListener.Prepare"/>:
/// it records every event it is given and passes on to the sinks only those <see cref="Passes"/> accepts.
/// </summary>
class FilteringListener(ILogEventQueue queue, IEnumerable<ILogEventSink> sinks, Func<LogEvent, bool> passes)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    readonly List<LogEvent> _handled = [];

    public Func<LogEvent, bool> Passes { get; } = passes;

    /// <summary>Every event given to <see cref="Handle"/>; read after the listener has been disposed.</summary>
    public IReadOnlyList<LogEvent> Handled => _handled;

    protected override void Handle(LogEvent logEvent)
    {
        _handled.Add(logEvent);
        if (Passes(logEvent)) base.Handle(logEvent);
    }
}
