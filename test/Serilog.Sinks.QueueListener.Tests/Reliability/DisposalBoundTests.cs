using System.Globalization;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// The shutdown timeout bounds the whole of disposal, the wrapped sinks' own <c>Dispose</c> included: a sink whose
/// disposal hangs is reported and left behind, and neither <c>Log.CloseAndFlush()</c> nor the exit of the process
/// waits for it longer than the bound.
/// </summary>
public class DisposalBoundTests
{
    static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(1);
    static readonly TimeSpan DisposalBound = TimeSpan.FromSeconds(3);

    [Test]
    public void DisposeReturnsWithinTheShutdownTimeoutWhenAWrappedSinksDisposeHangs()
    {
        const int events = 5;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var hanging = new HangingDisposeSink();
        var listener = new Listener(queue, hanging);
        var sink = new QueueSink(queue, listener, ShutdownTimeout);
        sink.SetFailureListener(failures);
        listener.Start();
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        try
        {
            for (var i = 0; i < events; i++) logger.Information("Event {Sequence}", i);

            var disposal = BoundedCall.Run(logger.Dispose, DisposalBound);

            Assert.That(disposal.Completed, Is.True, "dispose waited for the hung Dispose of a wrapped sink");
            Assert.That(disposal.Exception, Is.Null);
            Assert.That(hanging.Received, Is.EqualTo(events));
            Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("dispos").IgnoreCase);
        }
        finally
        {
            hanging.Release();
        }
    }

    [Test]
    public void DisposeAsyncReturnsWithinTheShutdownTimeoutWhenAWrappedSinksDisposeHangs()
    {
        const int events = 5;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var hanging = new HangingDisposeSink();
        var listener = new Listener(queue, hanging);
        var sink = new QueueSink(queue, listener, ShutdownTimeout);
        sink.SetFailureListener(failures);
        listener.Start();
        try
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));

            var disposal = BoundedCall.Run(((IAsyncDisposable)sink).DisposeAsync, DisposalBound);

            Assert.That(disposal.Completed, Is.True, "dispose waited for the hung Dispose of a wrapped sink");
            Assert.That(disposal.Exception, Is.Null);
            Assert.That(hanging.Received, Is.EqualTo(events));
            Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("dispos").IgnoreCase);
        }
        finally
        {
            hanging.Release();
        }
    }

    [Test]
    public void DisposeAsyncReturnsWithinTheShutdownTimeoutWhenAWrappedSinksDisposeAsyncNeverCompletes()
    {
        const int events = 5;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var hanging = new HangingAsyncDisposeSink();
        var listener = new Listener(queue, hanging);
        var sink = new QueueSink(queue, listener, ShutdownTimeout);
        sink.SetFailureListener(failures);
        listener.Start();
        try
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));

            var disposal = BoundedCall.Run(((IAsyncDisposable)sink).DisposeAsync, DisposalBound);

            Assert.That(disposal.Completed, Is.True, "dispose waited for the DisposeAsync of a wrapped sink");
            Assert.That(disposal.Exception, Is.Null);
            Assert.That(hanging.Received, Is.EqualTo(events));
            Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("dispos").IgnoreCase);
        }
        finally
        {
            hanging.Release();
        }
    }

    [Test]
    public void AtProcessExitAWrappedSinkWhoseDisposeNeverReturnsDoesNotKeepTheProcessAlive()
    {
        const int events = 10000;
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        // The child leaves the shutdown timeout unlimited, which the drain at process exit caps at 5 s.
        using var child = ProcessExitApp.Start(path, events.ToString(CultureInfo.InvariantCulture), "hanging-dispose");
        var stderr = child.StandardError.ReadToEndAsync();
        try
        {
            Assert.That(child.WaitForExit(TimeSpan.FromSeconds(20)), Is.True, "the child did not exit");
            child.WaitForExit();
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
                child.WaitForExit();
            }
        }

        Assert.That(child.ExitCode, Is.Zero, stderr.Result);
        Assert.That(LogFile.ReadLines(path), Is.EqualTo(Enumerable.Range(0, events).Select(i => $"Event {i}")));
    }
}
