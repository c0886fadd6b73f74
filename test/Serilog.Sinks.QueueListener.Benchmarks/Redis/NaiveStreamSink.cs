using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting.Compact;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// The baseline the queue is measured against: what one would write without it. Each event is formatted as one CLEF
/// line and added to the stream in an entry of its own (<c>XADD</c>), on the caller's thread, which waits for Redis's
/// reply. The entry has the format of FORMAT.md, so the same collector reads it.
/// </summary>
sealed class NaiveStreamSink : ILogEventSink, IDisposable, ISetLoggingFailureListener
{
    /// <summary>The field FORMAT.md names for an entry's CLEF lines.</summary>
    const string EventsField = "clef";

    static readonly CompactJsonFormatter Formatter = new();
    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    readonly ConnectionMultiplexer _connection;
    readonly IDatabase _database;
    readonly RedisKey _streamKey;
    ILoggingFailureListener _failureListener = SelfLog.FailureListener;

    public NaiveStreamSink(string configuration, string streamKey)
    {
        _connection = ConnectionMultiplexer.Connect(configuration);
        _database = _connection.GetDatabase();
        _streamKey = streamKey;
    }

    public void Emit(LogEvent logEvent)
    {
        // A writer per event, as a sink without a queue would have: Emit may be called from many threads at once.
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        try
        {
            Formatter.Format(logEvent, text);
            _database.StreamAdd(_streamKey, EventsField, Utf8.GetBytes(text.ToString()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or IOException)
        {
            _failureListener.OnLoggingFailed(this, LoggingFailureKind.Permanent, "failed adding an event to the redis stream",
                [logEvent], ex);
        }
    }

    public void SetFailureListener(ILoggingFailureListener failureListener) => _failureListener = failureListener;

    public void Dispose() => _connection.Dispose();
}
