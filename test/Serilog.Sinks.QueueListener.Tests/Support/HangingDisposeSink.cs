using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Counts the events it receives; its <see cref="Dispose"/> blocks until the test releases it, as a network sink's
/// might while it waits on a connection that no longer answers.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The signals live as long as the test.")]
class HangingDisposeSink : IHangingSink, IDisposable
{
    readonly ManualResetEventSlim _released = new(false);
    readonly ManualResetEventSlim _disposing = new(false);
    int _received;

    public int Received => Volatile.Read(ref _received);

    public void Release() => _released.Set();

    public bool WaitUntilDisposing(TimeSpan timeout) => _disposing.Wait(timeout);

    public void Emit(LogEvent logEvent) => Interlocked.Increment(ref _received);

    public void Dispose()
    {
        _disposing.Set();
        _released.Wait();
    }
}
