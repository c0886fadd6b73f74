using BenchmarkDotNet.Attributes;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Benchmarks.Bdn;

/// <summary>
/// The per-call cost of <c>Logger.Write(prebuilt event)</c> through each pipeline, as the calling thread sees it.
/// Once a queue is full the figure becomes the pipeline's sustained rate (Block) or the cost of dropping
/// (DropIncoming); the no-op sink keeps the listener ahead most of the time.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class LoggerWriteBenchmarks
{
    const int BufferSize = 10_000;

    readonly LogEvent _logEvent = new(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
        new MessageTemplateParser().Parse("Order {OrderId} for {Customer}"),
        [new LogEventProperty("OrderId", new ScalarValue(42)), new LogEventProperty("Customer", new ScalarValue("Alice"))]);

    Logger _logger = null!;

    [GlobalSetup(Target = nameof(SynchronousFloor))]
    public void SetUpSynchronousFloor() => _logger = Create(w => w.Sink(new NoOpSink()));

    [GlobalSetup(Target = nameof(SerilogSinksAsync))]
    public void SetUpSerilogSinksAsync() =>
        _logger = Create(w => w.Async(a => a.Sink(new NoOpSink()), BufferSize, blockWhenFull: true));

    [GlobalSetup(Target = nameof(QueueBlock))]
    public void SetUpQueueBlock() =>
        _logger = Create(w => w.Queue(a => a.Sink(new NoOpSink()), BufferSize, QueueFullMode.Block));

    [GlobalSetup(Target = nameof(QueueDropIncoming))]
    public void SetUpQueueDropIncoming() =>
        _logger = Create(w => w.Queue(a => a.Sink(new NoOpSink()), BufferSize, QueueFullMode.DropIncoming));

    [GlobalCleanup]
    public void CleanUp() => _logger.Dispose();

    [Benchmark]
    public void SynchronousFloor() => _logger.Write(_logEvent);

    [Benchmark(Baseline = true)]
    public void SerilogSinksAsync() => _logger.Write(_logEvent);

    [Benchmark]
    public void QueueBlock() => _logger.Write(_logEvent);

    [Benchmark]
    public void QueueDropIncoming() => _logger.Write(_logEvent);

    static Logger Create(Func<Configuration.LoggerSinkConfiguration, LoggerConfiguration> writeTo) =>
        writeTo(new LoggerConfiguration().MinimumLevel.Verbose().WriteTo).CreateLogger();
}
