using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Hangs in <see cref="Emit"/> while holding the lock its <see cref="Dispose"/> also takes, as a file sink does when
/// its disk stops answering, until the gate opens.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The signals live as long as the test.")]
class LockHoldingHangingSink : ILogEventSink, IDisposable
{
    readonly object _sync = new();
    readonly ManualResetEventSlim _gate = new(false);
    readonly ManualResetEventSlim _entered = new(false);
    readonly ManualResetEventSlim _disposed = new(false);

    public void Open() => _gate.Set();

    public bool WaitUntilEntered(TimeSpan timeout) => _entered.Wait(timeout);

    public bool WaitUntilDisposed(TimeSpan timeout) => _disposed.Wait(timeout);

    public void Emit(LogEvent logEvent)
    {
        lock (_sync)
        {
            _entered.Set();
            _gate.Wait();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed.Set();
        }
    }
}
