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

    /// <summary>As <see cref="Start(string, string, string, int, int)"/>, with the queue spooled in
    /// <paramref name="folder"/>/spool, and the number of the last event whose <c>Emit</c> returned kept in
    /// <paramref name="folder"/>/progress-&lt;producer&gt; (see <see cref="LastReturned"/>), which a kill does not
    /// lose.</summary>
    public static RunningApp StartSpooled(string configuration, string streamKey, string producer, int events, int eventsPerSecond,
        string folder) =>
        new(producer, ChildApp.Start(typeof(ProducerApp).Assembly, "ProducerAppDirectory",
            "Serilog.Sinks.QueueListener.Redis.ProducerApp.dll",
            [configuration, streamKey, producer, Invariant(events), Invariant(eventsPerSecond), "spool", folder]));

    /// <summary>The number of the last event of <paramref name="producer"/>, started with
    /// <see cref="StartSpooled"/>, whose <c>Emit</c> had returned; 0 before the first.</summary>
    public static long LastReturned(string folder, string producer)
    {
        var path = Path.Combine(folder, "progress-" + producer);
        if (!File.Exists(path)) return 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[8];
        return stream.Read(bytes, 0, 8) == 8 ? BitConverter.ToInt64(bytes, 0) : 0;
    }

    static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
