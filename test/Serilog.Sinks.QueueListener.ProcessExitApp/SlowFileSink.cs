using System.Diagnostics;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.ProcessExitApp;

/// <summary>
/// Writes each event's message to a file, one a line, taking <c>delay</c> over each (busy-waiting, so that the delay
/// does not depend on the timer's resolution): a sink that is slow but never hangs.
/// </summary>
sealed class SlowFileSink(string path, TimeSpan delay) : ILogEventSink, IDisposable
{
    readonly StreamWriter _writer = new(path) { AutoFlush = true };

    public void Emit(LogEvent logEvent)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < delay) Thread.SpinWait(100);
        _writer.WriteLine(logEvent.RenderMessage(CultureInfo.InvariantCulture));
    }

    public void Dispose() => _writer.Dispose();
}
