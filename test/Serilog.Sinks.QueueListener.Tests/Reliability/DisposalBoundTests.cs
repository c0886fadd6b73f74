using System.Diagnostics;
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
        AssertDisposalIsBounded(new HangingDisposeSink(), static sink => () =>
        {
            sink.Dispose();
            return default;
        });
    }

    [Test]
    public void DisposeAsyncReturnsWithinTheShutdownTimeoutWhenAWrappedSinksDisposeHangs()
    {
        AssertDisposalIsBounded(new HangingDisposeSink(), static sink => sink.DisposeAsync);
    }

    [Test]
    public void DisposeAsyncReturnsWithinTheShutdownTimeoutWhenAWrappedSinksDisposeAsyncNeverCompletes()
    {
        AssertDisposalIsBounded(new HangingAsyncDisposeSink(), static sink => sink.DisposeAsync);
    }

    /// <summary>Log a few events through <paramref name="hanging"/>, dispose the queue sink the way
    /// <paramref name="dispose"/> says, and check that disposal returned within the bound, having written the events
    /// and reported the sink it had to leave behind.</summary>
    static void AssertDisposalIsBounded(IHangingSink hanging, Func<QueueSink, Func<ValueTask>> dispose)
    {
        const int events = 5;
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(16);
        var listener = new Listener(queue, hanging);
        var sink = new QueueSink(queue, listener, ShutdownTimeout);
        sink.SetFailureListener(failures);
        listener.Start();
        try
        {
            for (var i = 0; i < events; i++) sink.Emit(Some.Event(i));

            var disposal = BoundedCall.Run(dispose(sink), DisposalBound);

            Assert.That(disposal.Completed, Is.True, "dispose waited for the hung disposal of a wrapped sink");
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
            var returning = child.StandardOutput.ReadLineAsync();
            Assert.That(returning.Wait(TimeSpan.FromSeconds(60)), Is.True, "the child did not log");
            Assert.That(returning.Result, Is.EqualTo("returning"));
            var exiting = Stopwatch.StartNew();

            // The drain itself takes milliseconds; the cap of 5 s (and the 100 ms grace after it) is spent waiting for
            // the sink that never returns. 3 s more allow for the runtime's exit on a loaded two-core machine.
            Assert.That(child.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the child did not exit");
            child.WaitForExit();
            Assert.That(exiting.Elapsed, Is.InRange(TimeSpan.FromSeconds(4.9), TimeSpan.FromSeconds(8.1)));
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
