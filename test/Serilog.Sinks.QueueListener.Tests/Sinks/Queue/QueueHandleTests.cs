using System.Globalization;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

public class QueueHandleTests
{
    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Test]
    public void FlushReturnsOnceEveryEarlierEventIsInTheFileWhileTheLoggerIsStillOpen()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        QueueHandle? queue = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.File(path, outputTemplate: "{Message}{NewLine}", formatProvider: CultureInfo.InvariantCulture, buffered: true), bufferSize: 500, monitor: h => queue = h)
            .CreateLogger();
        for (var i = 0; i < 100; i++) logger.Information("Event {Number}", i);

        Assert.That(queue!.Flush(Timeouts.Signal), Is.True);

        Assert.That(LogFile.ReadLines(path), Is.EqualTo(Enumerable.Range(0, 100).Select(i => $"Event {i}")));
        Assert.That(queue.HandledCount, Is.EqualTo(100));
        Assert.That(queue.Count, Is.Zero);
        Assert.That(queue.BufferSize, Is.EqualTo(500));
        Assert.That(queue.DroppedCount, Is.Zero);
    }

    [Test]
    public async Task FlushAsyncReachesARollingFileSinkToo()
    {
        using var folder = new TempFolder();
        QueueHandle? queue = null;
        await using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.File(Path.Combine(folder.Path, "log-.txt"), outputTemplate: "{Message}{NewLine}", formatProvider: CultureInfo.InvariantCulture,
                buffered: true, rollingInterval: RollingInterval.Day), monitor: h => queue = h)
            .CreateLogger();
        for (var i = 0; i < 10; i++) logger.Information("Event {Number}", i);

        Assert.That(await queue!.FlushAsync(Timeouts.Signal), Is.True);

        var file = Directory.GetFiles(folder.Path, "log-*.txt").Single();
        Assert.That(LogFile.ReadLines(file), Has.Count.EqualTo(10));
    }

    [Test]
    public async Task FlushWhileASinkHangsReturnsFalseAfterTheTimeoutAndTrueOnceItRecovers()
    {
        var gated = new GatedSink();
        QueueHandle? queue = null;
        using var logger = new LoggerConfiguration().WriteTo.Queue(a => a.Sink(gated), monitor: h => queue = h).CreateLogger();
        logger.Information("held");
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        Assert.That(queue!.Flush(Short), Is.False);
        Assert.That(await queue.FlushAsync(Short), Is.False);

        gated.Open();
        Assert.That(queue.Flush(Timeouts.Signal), Is.True);
        Assert.That(queue.HandledCount, Is.EqualTo(1));
    }

    [Test]
    public void FlushFromASinkOnTheListenerThreadReturnsFalseWithoutDeadlock()
    {
        QueueHandle? queue = null;
        bool? flushed = null;
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new DelegatingSink(_ => flushed = queue!.Flush(Timeouts.Signal))), monitor: h => queue = h)
            .CreateLogger();
        logger.Information("flushes from the listener thread");

        logger.Dispose();

        Assert.That(flushed, Is.False);
    }

    [Test]
    public async Task FlushAfterDisposeReturnsFalse()
    {
        QueueHandle? queue = null;
        var logger = new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), monitor: h => queue = h).CreateLogger();
        logger.Information("written");
        logger.Dispose();

        Assert.That(queue!.Flush(Timeouts.Signal), Is.False);
        Assert.That(await queue.FlushAsync(Timeouts.Signal), Is.False);
        Assert.That(queue.HandledCount, Is.EqualTo(1));
    }

    [Test]
    public void DroppedCountAndCountShowAFullQueue()
    {
        var gated = new GatedSink();
        QueueHandle? queue = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(gated), bufferSize: 1, fullMode: QueueFullMode.DropIncoming, monitor: h => queue = h)
            .CreateLogger();
        logger.Information("held by the listener");
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        logger.Information("queued");
        logger.Information("dropped");

        Assert.That(queue!.Count, Is.EqualTo(1));
        Assert.That(queue.DroppedCount, Is.EqualTo(1));
        gated.Open();
    }

    [Test]
    public void TheHandleIsGivenEvenWhenThereAreNoSinksToWrap()
    {
        QueueHandle? queue = null;

        using (var logger = new LoggerConfiguration().WriteTo.Queue(_ => { }, monitor: h => queue = h).CreateLogger())
        {
            logger.Information("goes nowhere");
            Assert.That(queue?.Flush(Timeouts.Signal), Is.True);
        }

        Assert.That(queue!.HandledCount, Is.EqualTo(1));
    }

    [Test]
    public void AHandleCallbackThatThrowsFailsTheConfigurationAndDisposesTheQueue()
    {
        var sink = new CollectingSink();

        Assert.That(() => new LoggerConfiguration()
                .WriteTo.Queue(a => a.Sink(sink), monitor: _ => throw new InvalidOperationException("refused"))
                .CreateLogger(),
            Throws.InvalidOperationException.With.Message.EqualTo("refused"));
        Assert.That(sink.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void StateFollowsTheListenerFromRunningToDisposed()
    {
        QueueHandle? queue = null;
        var logger = new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), monitor: h => queue = h).CreateLogger();

        Assert.That(queue!.State, Is.EqualTo(QueueListenerState.Running));
        logger.Dispose();
        Assert.That(queue.State, Is.EqualTo(QueueListenerState.Disposed));
    }

    [Test]
    public void StateSaysAbandonedWhenTheShutdownGaveUpOnAHungSink()
    {
        QueueHandle? queue = null;
        var gated = new GatedSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(gated), shutdownTimeout: Short, monitor: h => queue = h)
            .CreateLogger();
        try
        {
            logger.Information("Held");
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

            logger.Dispose();

            Assert.That(queue!.State, Is.EqualTo(QueueListenerState.Abandoned));
        }
        finally
        {
            gated.Open();
        }
    }

    [Test]
    public void ANegativeFlushTimeoutIsRejectedAsAFlushTimeoutNotAsTheShutdownTimeout()
    {
        QueueHandle? queue = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(new CollectingSink()), monitor: h => queue = h)
            .CreateLogger();

        Assert.That(() => queue!.Flush(TimeSpan.FromSeconds(-2)), Throws.InstanceOf<ArgumentOutOfRangeException>()
            .With.Property(nameof(ArgumentException.ParamName)).EqualTo("timeout")
            .And.Message.Not.Contains("shutdown timeout")
            .And.Message.Not.Contains("null"));
    }
}
