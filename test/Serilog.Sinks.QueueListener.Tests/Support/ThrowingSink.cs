using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Throws from <see cref="Emit"/> for every event (or every nth), and optionally from <see cref="Dispose"/>.
/// </summary>
class ThrowingSink(int everyNth = 1, bool throwOnDispose = false) : ILogEventSink, IDisposable
{
    int _count;

    public void Emit(LogEvent logEvent)
    {
        if (Interlocked.Increment(ref _count) % everyNth == 0)
        {
            throw new InvalidOperationException("The sink failed, as it was told to.");
        }
    }

    public void Dispose()
    {
        if (throwOnDispose) throw new InvalidOperationException("The sink failed to dispose, as it was told to.");
    }
}
