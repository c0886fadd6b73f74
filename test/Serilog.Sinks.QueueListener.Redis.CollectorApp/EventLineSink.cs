using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.CollectorApp;

/// <summary>
/// Appends <c>&lt;Producer&gt; &lt;Sequence&gt; &lt;entry id&gt; &lt;entry index&gt;</c> per event to the output, one
/// write per line (the writer flushes each), so that what a killed collector wrote is on disk, whole lines only but
/// maybe the last. After <c>signalAfter</c> events (when not zero), prints "written n", the test's cue to kill the
/// process; with <c>hang</c>, it then stops the listener's thread here, with the rest of its batch unwritten and
/// unacknowledged, until it is killed.
/// </summary>
sealed class EventLineSink(StreamWriter output, int signalAfter, bool hang) : ILogEventSink
{
    int _written;

    /// <summary>How many lines were written; read once the listener has stopped.</summary>
    public int Written => Volatile.Read(ref _written);

    public void Emit(LogEvent logEvent)
    {
        output.WriteLine(string.Join(' ',
            Scalar(logEvent, "Producer"),
            Scalar(logEvent, "Sequence"),
            Scalar(logEvent, RedisStreamQueue.EntryIdPropertyName),
            Scalar(logEvent, RedisStreamQueue.EntryIndexPropertyName)));
        Volatile.Write(ref _written, _written + 1);

        if (_written == signalAfter)
        {
            Console.Out.WriteLine($"written {signalAfter}");
            Console.Out.Flush();
            if (hang) Thread.Sleep(Timeout.Infinite);
        }
    }

    static string Scalar(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar }
            ? Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture)!
            : "-";
}
