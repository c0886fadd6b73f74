using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Keeps every event it receives, like <see cref="CollectingSink"/>, but holds the caller of the first
/// <see cref="Emit"/> until <see cref="Open"/>: a sink in the middle of writing a batch.</summary>
sealed class GatedSink : ILogEventSink, IDisposable
{
    readonly ManualResetEventSlim _gate = new(false);
    readonly ManualResetEventSlim _entered = new(false);

    public CollectingSink Written { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        _entered.Set();
        _gate.Wait();
        Written.Emit(logEvent);
    }

    /// <summary>Wait until an event has reached the sink (and waits at the gate, unless it is open).</summary>
    public bool WaitEntered(TimeSpan timeout) => _entered.Wait(timeout);

    public void Open() => _gate.Set();

    /// <summary>Opens the gate, so that nothing waits at it for ever.</summary>
    public void Dispose() => Open();
}
