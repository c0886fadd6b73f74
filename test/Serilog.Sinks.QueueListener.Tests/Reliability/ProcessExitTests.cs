using System.Diagnostics;
using System.Runtime.CompilerServices;
using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// What happens to queued events when the process ends without <c>Log.CloseAndFlush()</c>: a normal exit
/// (<c>Main</c> returns, <c>Environment.Exit</c>) drains the queue from <see cref="AppDomain.ProcessExit"/>; a kill
/// loses what was not yet written, but never corrupts what was. (Since .NET 10, SIGTERM no longer raises
/// <see cref="AppDomain.ProcessExit"/>: to the queue it is a kill, unless the application handles the signal.)
/// </summary>
public class ProcessExitTests
{
    const int ChildEvents = 100000;
    static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public void AChildThatReturnsFromMainWithoutCloseAndFlushWritesEveryEvent()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using var child = ProcessExitApp.Start(path, ChildEvents.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.That(child.WaitForExit(ChildTimeout), Is.True, "the child did not exit");
        child.WaitForExit();

        Assert.That(child.ExitCode, Is.Zero, stderr.Result);
        var lines = System.IO.File.ReadAllLines(path);
        Assert.That(lines, Has.Length.EqualTo(ChildEvents));
        Assert.That(lines, Is.EqualTo(Enumerable.Range(0, ChildEvents).Select(i => $"Event {i}")));
    }

    [Test]
    public void AChildKilledMidRunLeavesAPrefixOfCompleteLines()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using var child = ProcessExitApp.Start(path, "20000", "until-killed");
        try
        {
            // The child prints "running" once it has emitted 20,000 events into a queue of 10,000, so at least half
            // of them have reached the file sink.
            var started = child.StandardOutput.ReadLineAsync();
            Assert.That(started.Wait(ChildTimeout), Is.True, "the child did not start logging");
            Assert.That(started.Result, Is.EqualTo("running"));
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }

        // Whatever reached the file is the events in order, each on a complete line, save perhaps the last line,
        // cut off mid-write: a kill loses what was queued and what the file sink had not yet written.
        var text = System.IO.File.ReadAllText(path);
        var lines = text.Split('\n').ToList();
        var cutOff = lines[^1];
        lines.RemoveAt(lines.Count - 1);
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines, Is.EqualTo(Enumerable.Range(0, lines.Count).Select(i => $"Event {i}")));
        Assert.That($"Event {lines.Count}", Does.StartWith(cutOff));
    }

    [Test]
    public void AChildThatCallsEnvironmentExitWritesEveryEvent()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        using var child = ProcessExitApp.Start(path, ChildEvents.ToString(System.Globalization.CultureInfo.InvariantCulture), "environment-exit");
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.That(child.WaitForExit(ChildTimeout), Is.True, "the child did not exit");
        child.WaitForExit();

        Assert.That(child.ExitCode, Is.EqualTo(3), stderr.Result);
        Assert.That(System.IO.File.ReadAllLines(path), Is.EqualTo(Enumerable.Range(0, ChildEvents).Select(i => $"Event {i}")));
    }

    [Test]
    public void DrainOnProcessExitFalseLeavesWhatIsQueuedAtExitUnwritten()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();

        // The same child as the first test, which writes all 100,000 events, but without the exit drain: the events
        // still queued when Main returns (up to the buffer's 10,000) never reach the file.
        using var child = ProcessExitApp.Start(path, ChildEvents.ToString(System.Globalization.CultureInfo.InvariantCulture), "no-exit-drain");
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.That(child.WaitForExit(ChildTimeout), Is.True, "the child did not exit");
        child.WaitForExit();

        Assert.That(child.ExitCode, Is.Zero, stderr.Result);
        var lines = System.IO.File.Exists(path) ? System.IO.File.ReadAllLines(path) : [];
        TestContext.Out.WriteLine($"{lines.Length} of {ChildEvents} events reached the file");
        Assert.That(lines, Has.Length.LessThan(ChildEvents));
    }

    [Test]
    public void AtProcessExitTheSinkDrainsTheQueueAndDisposesTheWrappedSinks()
    {
        var queue = new LogEventQueue();
        var collecting = new CollectingSink();
        var sink = new QueueSink(queue, new Listener(queue, collecting).Start());
        sink.DrainOnProcessExit();
        for (var i = 0; i < 1000; i++) sink.Emit(Some.Event(i));

        sink.OnProcessExit();

        Assert.That(collecting.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(collecting.DisposeCount, Is.EqualTo(1));
        sink.Dispose();
        Assert.That(collecting.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void AtProcessExitAHangingSinkDelaysTheExitOnlyByTheShutdownTimeout()
    {
        var shutdownTimeout = TimeSpan.FromMilliseconds(300);
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var hanging = new GatedSink();
        var sink = new QueueSink(queue, new Listener(queue, hanging).Start(), shutdownTimeout);
        sink.SetFailureListener(failures);
        try
        {
            for (var i = 0; i < 10; i++) sink.Emit(Some.Event(i));
            Assert.That(hanging.WaitUntilEntered(Timeouts.Signal), Is.True);

            var stopwatch = Stopwatch.StartNew();
            sink.OnProcessExit();

            Assert.That(stopwatch.Elapsed, Is.LessThan(shutdownTimeout + TimeSpan.FromSeconds(1)));
            Assert.That(failures.Failures.Select(f => f.Kind), Has.Some.EqualTo(LoggingFailureKind.Final));
        }
        finally
        {
            hanging.Open();
        }
    }

    [Test]
    public void AtProcessExitADisposalAlreadyUnderWayOnAnotherThreadIsWaitedFor()
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue();
        var gated = new GatedSink();
        var sink = new QueueSink(queue, new Listener(queue, gated).Start(), Timeouts.Signal);
        sink.SetFailureListener(failures);
        sink.Emit(Some.Event(0));
        sink.Emit(Some.Event(1));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);

        // Log.CloseAndFlush() on another thread, stuck draining behind the gate; it has begun once the sink turns
        // events away.
        var disposing = Task.Run(sink.Dispose);
        Assert.That(SpinWait.SpinUntil(() =>
        {
            sink.Emit(Some.Event(99));
            return failures.FailedEvents.Any(e => Some.SequenceOf(e) == 99);
        }, Timeouts.Signal), Is.True);

        var exiting = Task.Run(sink.OnProcessExit);

        // Returning now would let the process exit mid-drain.
        Assert.That(exiting.Wait(TimeSpan.FromMilliseconds(200)), Is.False);
        gated.Open();
        Assert.That(exiting.Wait(Timeouts.Signal), Is.True);
        // The probes that got in before disposal began were drained too.
        Assert.That(gated.Events.Select(Some.SequenceOf).Where(i => i != 99), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(disposing.Wait(Timeouts.Signal), Is.True);
    }

    [Test]
    public void AnUnlimitedShutdownTimeoutIsCappedAtProcessExitAndAFiniteOneIsKept()
    {
        Assert.That(ShutdownTimeouts.ForProcessExit(Timeout.InfiniteTimeSpan), Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(ShutdownTimeouts.ForProcessExit(TimeSpan.FromSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(ShutdownTimeouts.ForProcessExit(TimeSpan.Zero), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void TheProcessExitHandlerNeverThrows()
    {
        var queue = new LogEventQueue();
        var sink = new QueueSink(queue, new ThrowingSentinelListener(queue, new CollectingSink()).Start());
        sink.DrainOnProcessExit();

        Assert.That(sink.OnProcessExit, Throws.Nothing);
    }

    [Test]
    public void ADisposedSinkIsNoLongerHeldByTheProcessExitEvent()
    {
        var disposed = CreateSinkThatDrainsOnProcessExit(dispose: true);
        var undisposed = CreateSinkThatDrainsOnProcessExit(dispose: false);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.That(disposed.TryGetTarget(out _), Is.False);
        // The control: an undisposed sink is held, so that it can drain at exit.
        Assert.That(undisposed.TryGetTarget(out var held), Is.True);
        held!.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference<QueueSink> CreateSinkThatDrainsOnProcessExit(bool dispose)
    {
        var queue = new LogEventQueue(16);
        var sink = new QueueSink(queue, new Listener(queue, new CollectingSink()).Start());
        sink.DrainOnProcessExit();
        sink.Emit(Some.Event(0));
        if (dispose) sink.Dispose();
        return new WeakReference<QueueSink>(sink);
    }
}
