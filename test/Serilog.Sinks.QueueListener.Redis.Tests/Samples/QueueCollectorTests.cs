using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Samples;

/// <summary>sample/QueueCollector: configured by its appsettings.json, with the Redis server, the stream and the file
/// given on the command line, as the README says.</summary>
[Category("Samples")]
public partial class QueueCollectorTests
{
    const int Events = 500;
    static readonly TimeSpan Run = TimeSpan.FromSeconds(60);

    /// <summary>The file sink's output template of appsettings.json:
    /// <c>{Timestamp:o} [{Level:u3}] ({Producer}) {Message:lj} {RedisStreamEntryId}/{RedisStreamEntryIndex}</c>.</summary>
    [GeneratedRegex("""^\S+ \[INF\] \(sample-test\) Event (?<n>\d+) \d+-\d+/\d+$""")]
    private static partial Regex FileLine();

    string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "queuelistener-collector-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void WithUntilIdleItWritesWhatTheStreamHoldsToTheFileOfItsSettingsAcknowledgesAndStops()
    {
        var server = RedisServer.Shared;
        var streamKey = "collector-" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(_folder, "collector.log");
        using (var logger = new LoggerConfiguration()
                   .Enrich.WithProperty("Producer", "sample-test")
                   .WriteTo.Queue(a => a.RedisStream(server.Configuration, streamKey))
                   .CreateLogger())
        {
            for (var i = 0; i < Events; i++) logger.Information("Event {N}", i);
        }

        using var collector = SampleApps.StartCollector(
            "--Collector:Redis", server.Configuration, "--Collector:StreamKey", streamKey, "--Collector:Consumer", "test",
            "--Serilog:WriteTo:1:Args:path", file, "--until-idle", "1", "--seconds", "60");
        Assert.That(collector.WaitForExit(Run), Is.True, collector.Describe());

        var lines = File.ReadAllLines(file);
        var matches = lines.Select(l => FileLine().Match(l)).ToList();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        Assert.Multiple(() =>
        {
            Assert.That(collector.ExitCode, Is.Zero, collector.Describe());
            Assert.That(collector.Lines, Does.Contain($"collector: wrote {Events:N0} events, then stopped"), collector.Describe());
            Assert.That(lines.Where((_, i) => !matches[i].Success), Is.Empty, "lines not in the settings' output template");
            Assert.That(matches.Where(m => m.Success).Select(m => int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture)),
                Is.EqualTo(Enumerable.Range(0, Events)));
            Assert.That(connection.GetDatabase().StreamPending(streamKey, "collectors").PendingMessageCount, Is.Zero);
        });
    }
}
