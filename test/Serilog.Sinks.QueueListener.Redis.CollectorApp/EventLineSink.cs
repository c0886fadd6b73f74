using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.CollectorApp;

/// <summary>
/// Appends <c>&lt;Producer&gt; &lt;Sequence&gt; &lt;entry id&gt; &lt;entry index&gt;</c> per event to the output, one
/// write per line (the writer flushes each), so that what a killed collector wrote is on disk, whole lines only.
/// After <c>hangAfter</c> events (when not zero), prints "hanging after n" and stops the listener's thread here, with
/// the rest of its batch unwritten and unacknowledged, until the process is killed.
/// </summary>
sealed class EventLineSink(StreamWriter output, int hangAfter) : ILogEventSink
{
    int _written;

    /// <summary>How many lines were written; read once the listener has stopped.</summary>
    public int Written => Volatile.Read(ref _written);

    public void Emit(LogEvent logEvent)
    {
        if (hangAfter > 0 && _written == hangAfter)
        {
            Console.Out.WriteLine($"hanging after {hangAfter}");
            Console.Out.Flush();
            Thread.Sleep(Timeout.Infinite);
        }

        output.WriteLine(string.Join(' ',
            Scalar(logEvent, "Producer"),
            Scalar(logEvent, "Sequence"),
            Scalar(logEvent, RedisStreamQueue.EntryIdPropertyName),
            Scalar(logEvent, RedisStreamQueue.EntryIndexPropertyName)));
        Volatile.Write(ref _written, _written + 1);
    }

    static string Scalar(LogEvent logEvent, string name) =>
        logEvent.Properties.TryGetValue(name, out var value) && value is ScalarValue { Value: { } scalar }
            ? Convert.ToString(scalar, System.Globalization.CultureInfo.InvariantCulture)!
            : "-";
}
