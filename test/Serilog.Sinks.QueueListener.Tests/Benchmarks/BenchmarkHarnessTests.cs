using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Benchmarks;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Reporting;
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
            where !kind.IsSpool()
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
            LatencyHarness.CsvFileName(CompareHarness.PacedLatencyFilePrefix),
            LatencyHarness.ChartFileName(CompareHarness.PacedLatencyFilePrefix, EndSink.File),
            LatencyHarness.ChartFileName(CompareHarness.PacedLatencyFilePrefix, EndSink.Counting),
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
        Assert.That(_console, Does.Contain("Latency at fixed rates, 2 producer(s)"));
    }

    [Test]
    public void TheMarkdownHasTheEmitLatencyTable()
    {
        var markdown = System.IO.File.ReadAllText(Path.Combine(_output.Path, CompareHarness.MarkdownFileName));

        Assert.That(markdown, Does.Contain("## Drop modes: the time of every Emit"));
        Assert.That(markdown, Does.Contain("| " + PipelineKind.QueueDropOldest.DisplayName() + " |"));
    }

    [Test]
    public void EveryPacedConfigurationRunsAtEveryRateIntoEachEndSinkForEachProducerCount()
    {
        var expected =
            from producers in ProducerCounts
            from endSink in Enum.GetValues<EndSink>()
            from rate in _options.PacedRates
            from kind in PacedPipeline.Kinds
            select (kind, endSink, producers, rate);

        Assert.That(PacedPipeline.Kinds, Is.EquivalentTo(new[]
        {
            PipelineKind.SynchronousFloor, PipelineKind.QueueBlock, PipelineKind.QueueDropIncoming,
            PipelineKind.QueueDropOldest, PipelineKind.AsyncBlocking, PipelineKind.SerilogBatchingLossless,
        }));
        Assert.That(_report.PacedLatency.Select(r => (r.Kind, r.EndSink, r.Producers, r.Rate)), Is.EquivalentTo(expected));
        Assert.That(_report.PacedLatency.Select(r => r.Events), Has.All.EqualTo(_options.PacedMinEvents));
        Assert.That(_report.PacedLatency.Where(r => !r.Completed), Is.Empty);
    }

    [Test]
    public void ThePacedLatencyPercentilesAreInOrder()
    {
        foreach (var r in _report.PacedLatency)
        {
            var cell = $"{r.Kind}, {r.EndSink}, {r.Producers} producer(s), {r.Rate}/s";
            Assert.That(r.CallerP50, Is.GreaterThanOrEqualTo(0), cell);
            Assert.That(r.CallerP99, Is.GreaterThanOrEqualTo(r.CallerP50), cell);
            Assert.That(r.CallerP999, Is.GreaterThanOrEqualTo(r.CallerP99), cell);
            Assert.That(r.CallerMax, Is.GreaterThanOrEqualTo(r.CallerP999).And.LessThan(double.PositiveInfinity), cell);
            Assert.That(r.DeliveryP50, Is.GreaterThanOrEqualTo(0), cell);
            Assert.That(r.DeliveryP99, Is.GreaterThanOrEqualTo(r.DeliveryP50), cell);
            Assert.That(r.DeliveryP999, Is.GreaterThanOrEqualTo(r.DeliveryP99), cell);
            Assert.That(r.DeliveryMax, Is.GreaterThanOrEqualTo(r.DeliveryP999).And.LessThan(double.PositiveInfinity), cell);
            Assert.That(r.SentPerSecond, Is.GreaterThan(0).And.LessThan(double.PositiveInfinity), cell);
            Assert.That(r.MaxBehindMilliseconds, Is.GreaterThanOrEqualTo(0), cell);
        }
    }

    [Test]
    public void TheLosslessPacedConfigurationsDeliverEveryEventAndTheOthersAccountForEveryOne()
    {
        var lossless = _report.PacedLatency.Where(r => !r.Kind.MayDrop()).ToList();

        Assert.That(lossless.Select(r => r.Kind).Distinct(), Has.Exactly(4).Items);
        Assert.That(lossless.Where(r => r.Delivered != r.Events || r.Dropped != 0), Is.Empty);
        Assert.That(_report.PacedLatency.Where(r => !r.AllAccounted), Is.Empty);
    }

    [Test]
    public void EveryEventDeliveredToTheFileSinkIsInTheFile()
    {
        var file = _report.PacedLatency.Where(r => r.EndSink == EndSink.File).ToList();
        var counting = _report.PacedLatency.Where(r => r.EndSink == EndSink.Counting).ToList();

        Assert.That(file, Is.Not.Empty);
        Assert.That(file.Select(r => r.FileLines - r.Delivered), Has.All.EqualTo(0));
        Assert.That(counting.Select(r => r.FileLines), Has.All.Null);
    }

    [Test]
    public void ThePacedLatencyTargetsAreEvaluatedForEachProducerCount()
    {
        var targets = _report.Targets.Select(t => t.Target).ToList();

        Assert.That(targets.Where(t => t.StartsWith("Queue Block caller p50", StringComparison.Ordinal)), Has.Exactly(2).Items);
        Assert.That(targets.Where(t => t.StartsWith("Queue Block caller p99", StringComparison.Ordinal)), Has.Exactly(4).Items);
        Assert.That(targets.Where(t => t.StartsWith("Queue Block delivery p99", StringComparison.Ordinal)), Has.Exactly(4).Items);
    }

    [Test]
    public void TheMarkdownHasAPacedLatencyTablePerProducerCount()
    {
        var markdown = System.IO.File.ReadAllText(Path.Combine(_output.Path, CompareHarness.MarkdownFileName));

        Assert.That(markdown, Does.Contain(PacedLatencyMarkdown.Heading));
        Assert.That(markdown, Does.Contain("### 1 producer" + Environment.NewLine).And.Contain("### 2 producers" + Environment.NewLine));
        Assert.That(markdown, Does.Contain("| File | 5k | " + PipelineKind.SerilogBatchingLossless.DisplayName() + " |"));
        Assert.That(markdown, Does.Contain("| Counting | 100k | " + PipelineKind.QueueBlock.DisplayName() + " |"));
    }

    [Test]
    public void ThePacedLatencyCsvHasAHeaderAndOneRowPerCell()
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(_output.Path,
            LatencyHarness.CsvFileName(CompareHarness.PacedLatencyFilePrefix)));

        Assert.That(lines, Has.Length.EqualTo(_report.PacedLatency.Count + 1));
        Assert.That(lines[0], Does.StartWith("producers,end_sink,rate,configuration,events"));
    }

    [Test]
    public void EachPacedLatencyChartIsAnSvgDocumentWithALinePerConfiguration()
    {
        foreach (var endSink in Enum.GetValues<EndSink>())
        {
            var svg = System.IO.File.ReadAllText(Path.Combine(_output.Path,
                LatencyHarness.ChartFileName(CompareHarness.PacedLatencyFilePrefix, endSink)));

            Assert.That(svg, Does.StartWith("<svg"), endSink.ToString());
            Assert.That(svg, Does.Contain(PipelineKind.SerilogBatchingLossless.DisplayName()), endSink.ToString());
            Assert.That(svg.Split("<polyline").Length - 1, Is.EqualTo(PacedPipeline.Kinds.Count * ProducerCounts.Length),
                endSink.ToString());
        }
    }

    [Test]
    public void TheLatencyCommandWritesItsMarkdownCsvAndCharts()
    {
        using var folder = new TempFolder();
        var report = new LatencyReport(_options with { OutputDirectory = folder.Path }, MachineInfo.Current(),
            _report.StartedAt, TimeSpan.FromSeconds(1), _report.PacedLatency,
            TargetEvaluator.EvaluatePacedLatency(_report.PacedLatency));

        var files = LatencyHarness.WriteFiles(report);

        Assert.That(files.Select(f => Path.GetFileName(f)), Is.EquivalentTo(new[]
        {
            LatencyHarness.MarkdownFileName(LatencyHarness.FilePrefix), LatencyHarness.CsvFileName(LatencyHarness.FilePrefix),
            LatencyHarness.ChartFileName(LatencyHarness.FilePrefix, EndSink.File),
            LatencyHarness.ChartFileName(LatencyHarness.FilePrefix, EndSink.Counting),
        }));
        Assert.That(files.Where(f => !System.IO.File.Exists(f) || new FileInfo(f).Length == 0), Is.Empty);
        Assert.That(System.IO.File.ReadAllText(files[0]), Does.Contain(PacedLatencyMarkdown.Heading).And.Contain("## Targets"));
    }
}
