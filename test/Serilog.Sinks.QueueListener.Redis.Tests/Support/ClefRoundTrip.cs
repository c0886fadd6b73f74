using System.Text;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Writes events with the production writer and reads them back with the production reader.</summary>
static class ClefRoundTrip
{
    public static LogEvent Of(LogEvent logEvent) => Of([logEvent]).Single();

    public static IReadOnlyList<LogEvent> Of(IEnumerable<LogEvent> logEvents)
    {
        var writer = new ClefWriter();
        foreach (var logEvent in logEvents)
        {
            writer.Write(logEvent);
        }

        return ClefReader.ReadLines(writer.TakePayload());
    }

    /// <summary>A value as JSON, which tells apart everything CLEF can carry and nothing it cannot (an int from a
    /// long).</summary>
    public static string Json(LogEventPropertyValue value)
    {
        var output = new StringWriter();
        new JsonValueFormatter(typeTagName: "$type").Format(value, output);
        return output.ToString();
    }

    /// <summary>Every property, name and JSON value, in order.</summary>
    public static string[] PropertiesOf(LogEvent logEvent) =>
        [.. logEvent.Properties.Select(p => p.Key + "=" + Json(p.Value))];

    public static string Utf8(byte[] payload) => Encoding.UTF8.GetString(payload);
}
