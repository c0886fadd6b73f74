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

    [Test]
    public void AListenerThatIsOnlyBehindWhenTheShutdownGivesUpDisposesTheSinksBeforeDisposalReturns()
    {
        // The README: after giving up, disposal gives the thread 100 ms more, and one that was only behind ends and
        // disposes the sinks before Log.CloseAndFlush() returns. Staged when the sink returns within the first half
        // of those 100 ms; a loaded machine can delay it past that, so the run is tried up to three times.
        var shutdownTimeout = TimeSpan.FromMilliseconds(300);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var clock = new Stopwatch();
            var behind = new BehindSink(shutdownTimeout + TimeSpan.FromMilliseconds(20), clock);
            var (_, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(), behind, shutdownTimeout);
            listener.Start();
            sink.Emit(Some.Event(0));
            sink.Emit(Some.Event(1));

            clock.Start();
            sink.Dispose();
            var returned = clock.Elapsed;
            var disposedBeforeReturn = behind.DisposeCount;

            if (behind.FirstReturned is not { } sinkReturned || sinkReturned > shutdownTimeout + TimeSpan.FromMilliseconds(50))
            {
                TestContext.Out.WriteLine($"attempt {attempt}: the sink returned at {behind.FirstReturned}, too late to stage the race");
                SpinWait.SpinUntil(() => behind.DisposeCount == 1, Timeouts.Signal);
                continue;
            }

            Assert.That(disposedBeforeReturn, Is.EqualTo(1), "the sinks were disposed after disposal returned");
            Assert.That(returned, Is.LessThan(shutdownTimeout + TimeSpan.FromMilliseconds(100) + TimeSpan.FromSeconds(1)));
            Assert.That(behind.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0 }));
            Assert.That(failures.NotWrittenEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 1 }));
            Assert.That(failures.PossiblyWrittenEvents, Is.Empty, "the event that was written is reported as possibly not");
            return;
        }

        Assert.Fail("in three attempts the sink never returned within the grace: the promise could not be staged");
    }
}
