using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A sink whose <see cref="Dispose"/> blocks until <see cref="ReleaseAll"/>: for JSON configuration, which builds the
/// sink itself, so that the test cannot reach the instance to release it.
/// </summary>
sealed class StaticallyReleasedHangingSink : ILogEventSink, IDisposable
{
    static readonly ManualResetEventSlim Released = new(false);

    public static void ReleaseAll() => Released.Set();

    public void Emit(LogEvent logEvent)
    {
    }

    public void Dispose() => Released.Wait();
}
