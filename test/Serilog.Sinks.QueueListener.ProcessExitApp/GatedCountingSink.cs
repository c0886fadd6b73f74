using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// Counts the events written to it, after holding the listener thread at the first until <see cref="Open"/>: so that
/// nothing is acknowledged, and no spool space freed, while the app fills the spool.
/// </summary>
sealed class GatedCountingSink : ILogEventSink, IDisposable
{
    readonly ManualResetEventSlim _gate = new(false);
    int _written;

    public int Written => Volatile.Read(ref _written);

    public void Open() => _gate.Set();

    public void Emit(LogEvent logEvent)
    {
        _gate.Wait();
        Interlocked.Increment(ref _written);
    }

    /// <summary>By the pipeline, after the listener's last event.</summary>
    public void Dispose() => _gate.Dispose();
}
