using Serilog.Configuration;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A flush that returns <see langword="true"/> has flushed the buffered file, also when Serilog hands the listener
/// the file sink inside a wrapper: an aggregate of several sinks, a level restriction, a sub-logger; and a flush
/// that cannot reach what a sink buffers says so.
/// </summary>
public class FlushThroughWrappersTests
{
    const string OutputTemplate = "{Message:l}{NewLine}";

    [Test]
    public void AFlushThatReturnsTrueHasPutTheEventInABufferedFileBesideAnotherSink()
    {
        AssertAFlushThatReturnsTrueHasPutTheEventInTheFile((a, path) =>
        {
            a.File(path, buffered: true, outputTemplate: OutputTemplate);
            a.Console();
        });
    }

    [Test]
    public void AFlushThatReturnsTrueHasPutTheEventInABufferedFileWithItsOwnMinimumLevel()
    {
        AssertAFlushThatReturnsTrueHasPutTheEventInTheFile((a, path) =>
            a.File(path, buffered: true, outputTemplate: OutputTemplate, restrictedToMinimumLevel: LogEventLevel.Information));
    }

    [Test]
    public void AFlushThatReturnsTrueHasPutTheEventInABufferedFileOfASubLogger()
    {
        AssertAFlushThatReturnsTrueHasPutTheEventInTheFile((a, path) =>
            a.Logger(lc => lc.WriteTo.File(path, buffered: true, outputTemplate: OutputTemplate)));
    }

    [Test]
    public void AFlushReturnsFalseAndSaysWhyOnceWhenSerilogsBatchingSinkHoldsEvents()
    {
        var failures = new CollectingFailureListener();
        var batching = LoggerSinkConfiguration.CreateSink(wt =>
            wt.Sink(new HoldingBatchedSink(), new BatchingOptions { BufferingTimeLimit = TimeSpan.FromHours(1) }));
        var queue = new LogEventQueue();
        var listener = new Serilog.Sinks.Queue.QueueListener(queue, batching);
        var sink = new QueueSink(queue, listener, Timeouts.Signal);
        sink.SetFailureListener(failures);
        listener.Start();
        try
        {
            sink.Emit(Some.Event(0));

            Assert.That(sink.Flush(Timeouts.Signal), Is.False);
            Assert.That(sink.Flush(Timeouts.Signal), Is.False);
            Assert.That(failures.Failures.Count(f => f.Message.Contains("a flush cannot reach", StringComparison.Ordinal)), Is.EqualTo(1));
        }
        finally
        {
            sink.Dispose();
        }
    }

    static void AssertAFlushThatReturnsTrueHasPutTheEventInTheFile(Action<LoggerSinkConfiguration, string> configure)
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        QueueHandle? queue = null;
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => configure(a, path), monitor: h => queue = h)
            .CreateLogger();
        try
        {
            logger.Information("Flushed {Number}", 42);

            var flushed = queue!.Flush(Timeouts.Signal);
            var lines = LogFile.ReadLines(path);

            Assert.Multiple(() =>
            {
                Assert.That(flushed, Is.True, "the flush returned false");
                Assert.That(lines, Does.Contain("Flushed 42"), "the event is not in the file when the flush returns");
            });
        }
        finally
        {
            logger.Dispose();
        }
    }
}
