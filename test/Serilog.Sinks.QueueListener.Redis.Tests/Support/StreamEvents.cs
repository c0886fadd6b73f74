using System.Globalization;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>What the stream tests share: how long an event may take to arrive, a fresh stream key per test, and the
/// number an event logged as <c>"Event {N}"</c> carries.</summary>
static class StreamEvents
{
    public static readonly TimeSpan Arrival = TimeSpan.FromSeconds(30);

    public static string NewStreamKey(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N");

    public static int NumberOf(LogEvent logEvent) => int.Parse(logEvent.Properties["N"].ToString(), CultureInfo.InvariantCulture);
}
