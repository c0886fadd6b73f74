using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Benchmarks;

/// <summary>
/// Runs the comparison harness once, in quick mode, and checks that it measured everything and that its figures
/// add up. Speed is never asserted: that is what the harness reports, not what a test can promise.
/// </summary>
[TestFixture]
public class BenchmarkHarnessTests
{
    static readonly int[] ProducerCounts = [1, 2];

    TempFolder _output = null!;
    CompareOptions _options = null!;
    CompareReport _report = null!;
    string _console = "";

    [OneTimeSetUp]
    public void RunTheHarnessInQuickMode()
    {
        _output = new TempFolder();
        _options = CompareOptions.Parse(["--quick", "--out", _output.Path]);
        using var console = new StringWriter();
        _report = CompareHarness.Run(_options, console);
        _console = console.ToString();
    }

    [OneTimeTearDown]
    public void DeleteTheOutput() => _output.Dispose();

    [Test]
    public void QuickModeIsSelectedByTheQuickOption()
    {
        Assert.That(_options.IsQuick, Is.True);
        Assert.That(_options.OutputDirectory, Is.EqualTo(_output.Path));
    }

    [Test]
    public void EveryConfigurationIsMeasuredForEachProducerCountAndCallShape()
    {
        var expected =
            from shape in Enum.GetValues<CallShape>()
            from producers in ProducerCounts
            from kind in Enum.GetValues<PipelineKind>()
            select (kind, producers, shape);

        Assert.That(_report.Throughput.Select(s => (s.Kind, s.Producers, s.Shape)), Is.EquivalentTo(expected));
        Assert.That(_report.Throughput.Select(s => s.Repetitions.Count), Has.All.EqualTo(_options.Repetitions));
    }

    [Test]
    public void EveryEventIsDeliveredOrReportedDroppedByThePipelinesThatReportLosses()
    {
        // Serilog 4's batching sink with a queue limit discards silently when its queue is full; the harness reports
        // that rather than hiding it, so it is the one configuration whose losses cannot all be accounted for.
        var reporting = _report.Throughput.Where(s => s.Kind != PipelineKind.SerilogBatching).ToList();

        Assert.That(reporting.Where(s => !s.AllAccounted || s.Unreported != 0), Is.Empty);
        Assert.That(reporting.SelectMany(s => s.Repetitions).Where(r => !r.Completed || r.Delivered + r.Dropped != r.Emitted),
            Is.Empty);
        Assert.That(_report.Throughput.SelectMany(s => s.Repetitions).Where(r => r.Delivered + r.Dropped > r.Emitted),
            Is.Empty);
    }

    [Test]
    public void EachRepetitionEmitsTheConfiguredNumberOfEvents()
    {
        Assert.That(_report.Throughput.SelectMany(s => s.Repetitions).Select(r => r.Emitted),
            Has.All.EqualTo(_options.EventsPerRepetition));
    }

    [Test]
    public void LosslessPipelinesLoseNothing()
    {
        var lossless = _report.Throughput
            .Where(s => s.Kind is PipelineKind.QueueBlock or PipelineKind.AsyncBlocking or PipelineKind.SynchronousFloor
                or PipelineKind.SerilogBatchingLossless)
            .ToList();

        Assert.That(lossless.Select(s => s.Kind).Distinct(), Has.Exactly(4).Items);
        Assert.That(lossless.Select(s => s.Lost), Has.All.Zero);
        Assert.That(lossless.Select(s => s.Delivered), Has.All.EqualTo(_options.EventsPerRepetition * _options.Repetitions));
    }

    [Test]
    public void TheFiguresAreFiniteAndPositive()
    {
        var figures = _report.Throughput.SelectMany(s => new[]
        {
            s.ProducerNanosecondsPerCall.Median, s.EventsPerSecond.Median, s.CpuNanosecondsPerEvent.Median,
        }).ToList();

        Assert.That(figures, Has.All.GreaterThan(0).And.All.LessThan(double.PositiveInfinity));
        Assert.That(_report.Throughput.Select(s => s.ProducerBytesPerEvent.Median), Has.All.GreaterThanOrEqualTo(0));
        Assert.That(_report.Throughput.Select(s => s.LostPercent.Median), Has.All.InRange(0, 100));
    }

    [Test]
    public void TheMessageTemplateShapeAllocatesOnTheProducerAndThePrebuiltShapeHardlyAtAll()
    {
        var floor = _report.Throughput.Where(s => s.Kind == PipelineKind.SynchronousFloor).ToList();

        Assert.That(floor.Where(s => s.Shape == CallShape.MessageTemplate).Select(s => s.ProducerBytesPerEvent.Median),
            Has.All.GreaterThan(1));
        Assert.That(floor.Where(s => s.Shape == CallShape.PrebuiltEvent).Select(s => s.ProducerBytesPerEvent.Median),
            Has.All.LessThan(1));
    }

    [Test]
    public void EverySaturatedFullModeAccountsForEveryEventAndBlockLosesNone()
    {
        Assert.That(_report.Saturation.Select(s => s.FullMode),
            Is.EquivalentTo(new[] { QueueFullMode.Block, QueueFullMode.DropIncoming, QueueFullMode.DropOldest }));
        Assert.That(_report.Saturation.Where(s => !s.AllAccounted || s.OwnDropped != s.Dropped), Is.Empty);
        Assert.That(_report.Saturation.Select(s => s.Delivered + s.Dropped), Has.All.EqualTo(_options.SaturationEvents));

        var block = _report.Saturation.Single(s => s.FullMode == QueueFullMode.Block);
        Assert.That(block.Dropped, Is.Zero);
        Assert.That(block.Delivered, Is.EqualTo(block.Emitted));
    }

    [Test]
    public void TheLatencyProbeTakesEverySampleInOrderOfPercentile()
    {
        var latency = _report.Latency;

        Assert.That(latency.Samples, Is.EqualTo(_options.LatencySamples));
        Assert.That(latency.Lost, Is.Zero);
        Assert.That(latency.P50, Is.GreaterThan(0));
        Assert.That(latency.P99, Is.GreaterThanOrEqualTo(latency.P50));
        Assert.That(latency.P999, Is.GreaterThanOrEqualTo(latency.P99));
        Assert.That(latency.Max, Is.GreaterThanOrEqualTo(latency.P999));
    }

    [Test]
    public void TheEmitLatencyProbeTimesEveryCallOfEveryFullModeAndTheFloor()
    {
        var calls = (long)_options.EmitLatencyProducers * _options.EmitLatencyCallsPerProducer;

        Assert.That(_report.EmitLatency.Select(e => e.Kind), Is.EquivalentTo(new[]
        {
            PipelineKind.QueueDropIncoming, PipelineKind.QueueDropOldest, PipelineKind.QueueBlock,
            PipelineKind.SynchronousFloor,
        }));
        Assert.That(_report.EmitLatency.Select(e => e.Calls), Has.All.EqualTo(calls));
        Assert.That(_report.EmitLatency.Select(e => e.BufferSize), Has.All.EqualTo(_options.EmitLatencyBufferSize));
        Assert.That(_report.EmitLatency.Where(e => !e.Completed), Is.Empty);
    }

    [Test]
    public void TheEmitLatencyPercentilesAreInOrder()
    {
        foreach (var e in _report.EmitLatency)
        {
            Assert.That(e.P50, Is.GreaterThanOrEqualTo(0), e.Kind.ToString());
            Assert.That(e.P99, Is.GreaterThanOrEqualTo(e.P50), e.Kind.ToString());
            Assert.That(e.P999, Is.GreaterThanOrEqualTo(e.P99), e.Kind.ToString());
            Assert.That(e.P9999, Is.GreaterThanOrEqualTo(e.P999), e.Kind.ToString());
            Assert.That(e.Max, Is.GreaterThanOrEqualTo(e.P9999).And.LessThan(double.PositiveInfinity), e.Kind.ToString());
            Assert.That(e.OverOneMillisecond, Is.InRange(0, e.Calls), e.Kind.ToString());
        }
    }

    [Test]
    public void EveryTimedCallIsDeliveredOrCountedDroppedAndEveryDropIsReported()
    {
        Assert.That(_report.EmitLatency.Where(e => !e.AllAccounted), Is.Empty);
        Assert.That(_report.EmitLatency.Select(e => e.Delivered + (e.OwnDropped ?? e.Dropped) - e.Calls), Has.All.Zero);
        Assert.That(_report.EmitLatency.Select(e => e.Uncarried), Has.All.GreaterThanOrEqualTo(0));

        var lossless = _report.EmitLatency.Where(e => e.Kind is PipelineKind.QueueBlock or PipelineKind.SynchronousFloor);
        Assert.That(lossless.Select(e => e.Delivered - e.Calls), Has.All.Zero);
    }

    [Test]
    public void EachDropModeHasAnEmitLatencyTarget()
    {
        Assert.That(_report.Targets.Select(t => t.Target),
            Has.One.StartsWith(PipelineKind.QueueDropIncoming.DisplayName() + ": max Emit").And
                .One.StartsWith(PipelineKind.QueueDropOldest.DisplayName() + ": max Emit"));
    }

    [Test]
    public void TheIdleProbeReportsAShareOfTheMachine()
    {
        var ceiling = 100.0 * Environment.ProcessorCount;

        Assert.That(_report.IdleCpu.BaselinePercentOfCore, Is.InRange(0, ceiling));
        Assert.That(_report.IdleCpu.WithListenerPercentOfCore, Is.InRange(0, ceiling));
    }

    [Test]
    public void EveryTargetIsEvaluated()
    {
        Assert.That(_report.Targets, Is.Not.Empty);
        Assert.That(_report.Targets.Select(t => t.Measured), Has.None.Empty);
    }

    [Test]
    public void TheMarkdownCsvAndChartsAreWrittenToTheOutputFolder()
    {
        var names = _report.Files.Select(f => Path.GetFileName(f)).ToList();

        Assert.That(names, Is.EquivalentTo(new[]
        {
            CompareHarness.MarkdownFileName, CompareHarness.CsvFileName, CompareHarness.EmitLatencyCsvFileName,
            CompareHarness.ChartFileName(CallShape.PrebuiltEvent), CompareHarness.ChartFileName(CallShape.MessageTemplate),
        }));
        Assert.That(_report.Files.Where(f => !System.IO.File.Exists(f) || new FileInfo(f).Length == 0), Is.Empty);
        Assert.That(_report.Files.Select(f => Path.GetDirectoryName(f)), Has.All.EqualTo(_output.Path));
    }

    [Test]
    public void TheMarkdownNamesTheMachineAndTheDate()
    {
        var markdown = System.IO.File.ReadAllText(Path.Combine(_output.Path, CompareHarness.MarkdownFileName));

        Assert.That(markdown, Does.Contain($"{Environment.ProcessorCount} logical processors"));
        Assert.That(markdown, Does.Contain(_report.StartedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(markdown, Does.Contain(PipelineKind.AsyncBlocking.DisplayName()));
    }

    [Test]
    public void TheCsvHasAHeaderAndOneRowPerMeasuredConfiguration()
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(_output.Path, CompareHarness.CsvFileName));

        Assert.That(lines, Has.Length.EqualTo(_report.Throughput.Count + 1));
        Assert.That(lines[0], Does.StartWith("shape,producers,configuration"));
    }

    [Test]
    public void TheEmitLatencyCsvHasAHeaderAndOneRowPerConfiguration()
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(_output.Path, CompareHarness.EmitLatencyCsvFileName));

        Assert.That(lines, Has.Length.EqualTo(_report.EmitLatency.Count + 1));
        Assert.That(lines[0], Does.StartWith("configuration,producers,buffer_size,calls"));
    }

    [Test]
    public void TheChartIsAnSvgDocument()
    {
        var svg = System.IO.File.ReadAllText(Path.Combine(_output.Path, CompareHarness.ChartFileName(CallShape.PrebuiltEvent)));

        Assert.That(svg, Does.Contain("<svg"));
        Assert.That(svg, Does.Contain(PipelineKind.QueueBlock.DisplayName()));
    }

    [Test]
    public void TheConsoleShowsTheTable()
    {
        Assert.That(_console, Does.Contain("End-to-end events/s"));
        Assert.That(_console, Does.Contain("Wake-up latency"));
        Assert.That(_console, Does.Contain("Emit latency"));
    }

    [Test]
    public void TheMarkdownHasTheEmitLatencyTable()
    {
        var markdown = System.IO.File.ReadAllText(Path.Combine(_output.Path, CompareHarness.MarkdownFileName));

        Assert.That(markdown, Does.Contain("## Drop modes: the time of every Emit"));
        Assert.That(markdown, Does.Contain("| " + PipelineKind.QueueDropOldest.DisplayName() + " |"));
    }
}
