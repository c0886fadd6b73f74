using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Counts the events it receives; only asynchronously disposable, and the task its <see cref="DisposeAsync"/>
/// returns completes only when the test releases it. Blocks no thread.
/// </summary>
class HangingAsyncDisposeSink : IHangingSink, IAsyncDisposable
{
    readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _received;

    public int Received => Volatile.Read(ref _received);

    public void Release() => _released.TrySetResult();

    public void Emit(LogEvent logEvent) => Interlocked.Increment(ref _received);

    public ValueTask DisposeAsync() => new(_released.Task);
}
