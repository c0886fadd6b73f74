using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.Redis.ProducerApp: numbered events through
/// <c>WriteTo.Queue(a =&gt; a.RedisStream(...))</c> at a steady rate; see <see cref="ChildApp"/>.
/// </summary>
static class ProducerApp
{
    public static RunningApp Start(string configuration, string streamKey, string producer, int events, int eventsPerSecond) =>
        new(producer, ChildApp.Start(typeof(ProducerApp).Assembly, "ProducerAppDirectory",
            "Serilog.Sinks.QueueListener.Redis.ProducerApp.dll",
            [configuration, streamKey, producer, Invariant(events), Invariant(eventsPerSecond)]));

    /// <summary>As <see cref="Start(string, string, string, int, int)"/>, with a shutdown timeout for the queue and a
    /// count of the events reported, which the app prints as it exits: <c>reported &lt;distinct&gt; of
    /// &lt;total&gt;</c>.</summary>
    public static RunningApp StartCounting(string configuration, string streamKey, string producer, int events, int shutdownSeconds,
        bool closeLogger = true) =>
        new(producer, ChildApp.Start(typeof(ProducerApp).Assembly, "ProducerAppDirectory",
            "Serilog.Sinks.QueueListener.Redis.ProducerApp.dll",
            [configuration, streamKey, producer, Invariant(events), Invariant(1_000_000_000), Invariant(shutdownSeconds),
                .. closeLogger ? Array.Empty<string>() : ["exit"]]));

    static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
