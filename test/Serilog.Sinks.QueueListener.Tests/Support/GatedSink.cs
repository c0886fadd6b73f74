using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Blocks in <see cref="Emit"/> until the gate opens, so a test can hold the listener thread. Signals when the
/// first event has entered.
/// </summary>
class GatedSink : CollectingSink
{
    readonly ManualResetEventSlim _gate = new(false);
    readonly ManualResetEventSlim _entered = new(false);

    readonly ManualResetEventSlim _disposed = new(false);

    public void Open() => _gate.Set();

    /// <summary>Wait until the pipeline has disposed the sink: its listener thread's last act.</summary>
    public bool WaitUntilDisposed(TimeSpan timeout) => _disposed.Wait(timeout);

    public override void Dispose()
    {
        base.Dispose();
        _disposed.Set();
    }

    public bool WaitUntilEntered(TimeSpan timeout) => _entered.Wait(timeout);

    public override void Emit(LogEvent logEvent)
    {
        _entered.Set();
        _gate.Wait();
        base.Emit(logEvent);
    }
}
