using Serilog.Sinks.QueueListener.Benchmarks;
using Serilog.Sinks.QueueListener.Benchmarks.Redis;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Benchmarks;

/// <summary>
/// Runs the <c>redis</c> mode once at the smallest sizes that still start every process and run every
/// configuration, and checks that it measured everything and that nothing was lost. Speed is never asserted.
/// Ignored where redis-server is not installed.
/// </summary>
[TestFixture]
public class RedisHarnessTests
{
    /// <summary>A few thousand events a configuration: the run's time is the processes' start.</summary>
    static readonly RedisOptions Tiny = RedisOptions.Quick with
    {
        EventsPerProducer = 2_000,
        RoundTripEventsPerProducer = 200,
        PacedRate = 10_000,
        PacedDuration = TimeSpan.FromSeconds(0.2),
        WarmUp = TimeSpan.FromMilliseconds(20),
    };

    TempFolder _output = null!;
    RedisReport _report = null!;
    string _console = "";

    [OneTimeSetUp]
    public void RunTheRedisModeAtTinySizes()
    {
        if (PrivateRedisServer.FindExecutable() is null)
        {
            // Where Redis is required (CI), its absence fails here as it fails every other Redis test.
            const string missing = "redis-server is not installed; apt-get install redis-server";
            if (Environment.GetEnvironmentVariable("QUEUELISTENER_REQUIRE_REDIS") == "1") Assert.Fail(missing);
            Assert.Ignore(missing);
        }

        _output = new TempFolder();
        using var console = new StringWriter();
        _report = RedisHarness.Run(Tiny with { OutputDirectory = _output.Path }, console);
        _console = console.ToString();
    }

    [OneTimeTearDown]
    public void DeleteTheOutput() => _output?.Dispose();

    [Test]
    public void EveryConfigurationRunsAtFullSpeedAndPaced()
    {
        Assert.That(_report.FullSpeed.Select(r => r.Configuration), Is.EqualTo(ProducerConfigurations.All));
        Assert.That(_report.Paced.Select(r => r.Configuration), Is.EqualTo(ProducerConfigurations.All));
        Assert.That(_report.FullSpeed.Select(r => r.Rate), Has.All.Null);
        Assert.That(_report.Paced.Select(r => r.Rate), Has.All.EqualTo(Tiny.PacedRate));
    }

    [Test]
    public void EveryEventOfEveryRunArrivesOnceAndNoneFails()
    {
        var runs = _report.FullSpeed.Concat(_report.Paced).ToList();

        Assert.That(runs.Where(r => !r.AllDelivered).Select(r => $"{r.Configuration} {r.Rate}: {r.Lost} lost, {r.Duplicates} duplicated, {r.Failed} failed"),
            Is.Empty);
        Assert.That(runs.Select(r => r.CollectorFailureReports), Has.All.Zero);
        Assert.That(runs.Select(r => r.Producers.Count), Has.All.EqualTo(Tiny.Producers));
    }

    [Test]
    public void EachProducerMakesTheCallsItWasGiven()
    {
        Assert.That(_report.FullSpeed.Single(r => r.Configuration == ProducerConfiguration.QueueBatched).Producers.Select(p => p.Calls),
            Has.All.EqualTo(Tiny.EventsPerProducer));
        Assert.That(_report.FullSpeed.Single(r => r.Configuration == ProducerConfiguration.NaiveXadd).Producers.Select(p => p.Calls),
            Has.All.EqualTo(Tiny.RoundTripEventsPerProducer));
        Assert.That(_report.Paced.SelectMany(r => r.Producers).Select(p => p.Calls), Has.All.EqualTo(Tiny.PacedEventsPerProducer));
    }

    [Test]
    public void TheFiguresAreFiniteAndInOrder()
    {
        foreach (var r in _report.FullSpeed.Concat(_report.Paced))
        {
            var run = $"{r.Configuration} {r.Rate}";
            Assert.That(r.EventsPerSecond, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity), run);
            Assert.That(r.ProducerNanosecondsPerCall, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity), run);
            Assert.That(r.ProducerTotalNanosecondsPerEvent, Is.GreaterThanOrEqualTo(r.ProducerNanosecondsPerCall), run);
            if (!r.Configuration.UsesRedis()) continue;

            Assert.That(r.DeliveryP99, Is.GreaterThanOrEqualTo(r.DeliveryP50), run);
            Assert.That(r.DeliveryMax, Is.GreaterThanOrEqualTo(r.DeliveryP999).And.GreaterThanOrEqualTo(r.DeliveryP99), run);
            Assert.That(r.CollectorTimes.Reads, Is.GreaterThan(0), run);
            Assert.That(r.CollectorTimes.DequeuedEvents, Is.GreaterThanOrEqualTo(r.Events), run);
        }

        Assert.That(_report.Paced.SelectMany(r => r.Producers).Select(p => p.CallerP99 >= p.CallerP50 && p.CallerMax >= p.CallerP99),
            Has.All.True);
    }

    [Test]
    public void EachSideAloneDeliversEveryEventAndHasARate()
    {
        var stages = _report.Stages;

        Assert.That(stages.AllDelivered, Is.True, $"{stages.Delivered} of {stages.Events}, {stages.Duplicates} duplicated");
        Assert.That(stages.ProducersEventsPerSecond, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity));
        Assert.That(stages.CollectorEventsPerSecond, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity));
        Assert.That(stages.WarmUps, Is.GreaterThan(0));
    }

    [Test]
    public void TheWayToRedisIsPartOfTheDelivery()
    {
        foreach (var r in _report.Paced.Where(r => r.Configuration.UsesRedis()))
        {
            Assert.That(r.ToRedisMilliseconds, Has.Count.EqualTo(3), r.Configuration.ToString());
            Assert.That(r.ToRedisMilliseconds[0], Is.LessThanOrEqualTo(r.DeliveryP50 + 1), r.Configuration.ToString());
            Assert.That(r.ToRedisMilliseconds[2], Is.LessThanOrEqualTo(r.DeliveryMax + 1), r.Configuration.ToString());
        }
    }

    [Test]
    public void TheTargetsAreEvaluated()
    {
        Assert.That(_report.Targets.Select(t => t.Target), Has.Some.Contains("events/s end to end")
            .And.Some.Contains("delivery p99").And.Some.Contains("in-process WriteTo.Queue"));
        Assert.That(_report.Targets.Single(t => t.Target.StartsWith("Every run loses nothing", StringComparison.Ordinal)).Holds,
            Is.True);
    }

    [Test]
    public void TheMarkdownNamesTheMachineAndHasTheTables()
    {
        Assert.That(_report.Files.Select(Path.GetFileName), Is.EqualTo(new[] { RedisHarness.MarkdownFileName }));
        var markdown = System.IO.File.ReadAllText(_report.Files[0]);

        Assert.That(markdown, Does.Contain($"{Environment.ProcessorCount} logical processors").And.Contain("Load average"));
        Assert.That(markdown, Does.Contain("## Full speed").And.Contain("## Paced").And.Contain("## Where the collector's time goes")
            .And.Contain("## Batched entries, each side alone").And.Contain("## Targets"));
        Assert.That(markdown, Does.Contain("| " + ProducerConfiguration.NaiveXadd.DisplayName() + " |"));
    }

    [Test]
    public void TheConsoleShowsTheTables()
    {
        Assert.That(_console, Does.Contain("Full speed:").And.Contain("Paced, ").And.Contain("Collector:"));
    }
}
