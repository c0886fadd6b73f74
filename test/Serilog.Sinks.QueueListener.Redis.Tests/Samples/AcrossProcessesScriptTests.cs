using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Samples;

/// <summary>The README's "Across processes" demo, sample/across-processes.sh, run as a user runs it, with fewer
/// events.</summary>
[Category("Samples")]
public class AcrossProcessesScriptTests
{
    const int EventsPerProducer = 2000;
    const int Producers = 3;
    static readonly TimeSpan Run = TimeSpan.FromSeconds(120);

    string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "queuelistener-script-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void TheScriptSaysEveryEventItsProducersLoggedWasWritten()
    {
        RedisServer.RequireInstalled();

        using var script = SampleApps.StartAcrossProcesses(EventsPerProducer, _folder);
        Assert.That(script.WaitForExit(Run), Is.True, script.Describe());

        var total = EventsPerProducer * Producers;
        Assert.Multiple(() =>
        {
            Assert.That(script.ExitCode, Is.Zero, script.Describe());
            Assert.That(script.Lines, Does.Contain($"every one of the {total} events produced was written"), script.Describe());
            Assert.That(script.Lines.Where(l => l.StartsWith("producer ", StringComparison.Ordinal)).Order(),
                Is.EqualTo(Enumerable.Range(1, Producers).Select(p => $"producer producer-{p}: produced {EventsPerProducer:N0} events")),
                script.Describe());
        });
    }
}
