using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>The listener's promises (Stop and Start, flush, a bounded shutdown, the handle's counters) over a
/// spool, with the listener unchanged.</summary>
public class DurableListenerTests
{
    [Test]
    public void StopDrainsAndStartResumesWithEventsLoggedWhileStopped()
    {
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var sink = new CollectingSink();
        using var listener = new Serilog.Sinks.Queue.QueueListener(queue, sink).Start();
        using var logger = new LoggerConfiguration().WriteTo.Sink(new QueueSink(queue)).CreateLogger();

        for (var i = 0; i < 100; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        listener.Stop();
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 100)));

        for (var i = 100; i < 200; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        Assert.That(queue.Count, Is.EqualTo(100));
        listener.Start();

        Assert.That(listener.Flush(Timeouts.Signal), Is.True);
        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 200)));
        Assert.That(queue.Count, Is.Zero);
        Assert.That(listener.HandledCount, Is.EqualTo(200));
    }

    [Test]
    public void AShutdownThatGivesUpOnAHangingSinkLeavesItsEventsInTheSpoolForTheNextStart()
    {
        using var folder = new TempFolder();
        var failures = new CollectingFailureListener();
        var sink = new GatedSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(f => f.Queue(a => a.Sink(sink), spool: folder.Path, shutdownTimeout: TimeSpan.FromMilliseconds(200)), failures)
            .CreateLogger();
        for (var i = 0; i < 10; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        Assert.That(sink.WaitUntilEntered(Timeouts.Signal), Is.True);

        var disposal = Task.Run(logger.Dispose);
        Assert.That(disposal.Wait(Timeouts.Signal), Is.True, "disposal must be bounded by the shutdown timeout");

        // The spool is free for the next start, which writes the ten again: all were handed to the sink, so all are
        // marked, and the one the sink was holding is among them.
        using var next = new DurableLogEventQueue(folder.Path);
        var events = DrainNow(next);
        sink.Open();

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(events.Where(IsRedelivered).Count(), Is.EqualTo(10));
        Assert.That(failures.Failures, Is.Not.Empty, "what the shutdown left behind is reported");
    }

    [Test]
    public void TheHandleReadsTheSpoolsCounters()
    {
        using var folder = new TempFolder();
        QueueHandle? handle = null;
        var sink = new CollectingSink();
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Queue(a => a.Sink(sink), spool: folder.Path, monitor: q => handle = q)
                   .CreateLogger())
        {
            for (var i = 0; i < 50; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
            Assert.That(handle!.Flush(Timeouts.Signal), Is.True);

            Assert.That(handle.HandledCount, Is.EqualTo(50));
            Assert.That(handle.Count, Is.Zero);
            Assert.That(handle.DroppedCount, Is.Zero);
            Assert.That(handle.BufferSize, Is.EqualTo(int.MaxValue));
            Assert.That(handle.State, Is.EqualTo(QueueListenerState.Running));
        }

        Assert.That(handle.State, Is.EqualTo(QueueListenerState.Disposed));
    }
}
