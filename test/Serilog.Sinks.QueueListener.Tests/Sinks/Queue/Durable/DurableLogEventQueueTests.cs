using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

public class DurableLogEventQueueTests
{
    [Test]
    public void EventsNotYetReadAreDeliveredByTheNextQueueOverTheSpoolUnmarked()
    {
        using var folder = new TempFolder();
        using (var first = new DurableLogEventQueue(folder.Path))
        {
            for (var i = 0; i < 100; i++) first.Enqueue(Some.Event(i), CancellationToken.None);
        }

        using var second = new DurableLogEventQueue(folder.Path);
        var events = DrainNow(second);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 100)));
        Assert.That(events.Where(IsRedelivered), Is.Empty);
    }

    [Test]
    public void EventsHandedOutButNotAcknowledgedComeBackMarkedAsRedelivered()
    {
        using var folder = new TempFolder();
        using (var first = new DurableLogEventQueue(folder.Path))
        {
            for (var i = 0; i < 30; i++) first.Enqueue(Some.Event(i), CancellationToken.None);
            Assert.That(Take(first, 10), Has.Count.EqualTo(10));
            first.Acknowledge();
            Assert.That(Take(first, 10), Has.Count.EqualTo(10));
        }

        using var second = new DurableLogEventQueue(folder.Path);
        var events = DrainNow(second);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(10, 20)));
        Assert.That(events.Where(IsRedelivered).Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(10, 10)));
    }

    [Test]
    public void AcknowledgingPastASegmentDeletesItsFile()
    {
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var sequence = 0;
        while (SegmentFiles(folder.Path).Length < 3) queue.Enqueue(Some.Event(sequence++), CancellationToken.None);
        var sizeWhenFull = queue.SizeOnDisk;

        var events = DrainNow(queue);

        Assert.That(events, Has.Count.EqualTo(sequence));
        Assert.That(SegmentFiles(folder.Path), Has.Length.EqualTo(1));
        Assert.That(queue.SizeOnDisk, Is.LessThan(sizeWhenFull));
    }

    [Test]
    public void ASecondQueueOverTheSameSpoolIsRefusedWithAClearError()
    {
        using var folder = new TempFolder();
        using var first = new DurableLogEventQueue(folder.Path);

        var error = Assert.Throws<IOException>(() => new DurableLogEventQueue(folder.Path).Dispose());

        Assert.That(error!.Message, Does.Contain("is in use").And.Contain(folder.Path));
    }

    [Test]
    public void ASpoolIsFreeForTheNextQueueOnceDisposed()
    {
        using var folder = new TempFolder();
        new DurableLogEventQueue(folder.Path).Dispose();

        Assert.DoesNotThrow(() => new DurableLogEventQueue(folder.Path).Dispose());
    }

    [Test]
    public void WhenFullInDropIncomingModeEachDroppedEventIsCountedAndReported()
    {
        using var folder = new TempFolder();
        var failures = new CollectingFailureListener();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit, QueueFullMode.DropIncoming);
        queue.SetFailureListener(failures);

        var accepted = 0;
        var sequence = 0;
        while (queue.DroppedCount < 10)
        {
            if (queue.Enqueue(Some.Event(sequence++), CancellationToken.None)) accepted++;
        }

        ((IBuiltInQueue)queue).ReportPendingDrops();
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(accepted, 10)));
        Assert.That(DrainNow(queue).Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, accepted)));
    }

    [Test]
    public void WhenFullInBlockModeAProducerWaitsUntilTheListenerFreesRoom()
    {
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var sequence = 0;
        using (var nowait = new CancellationTokenSource())
        {
            nowait.Cancel();
            Assert.Throws<OperationCanceledException>(() =>
            {
                while (true) queue.Enqueue(Some.Event(sequence++), nowait.Token);
            });
        }

        var blocked = Task.Run(() => queue.Enqueue(Some.Event(sequence), CancellationToken.None));
        Assert.That(blocked.Wait(TimeSpan.FromMilliseconds(200)), Is.False, "the producer should wait while the spool is full");

        var drained = DrainNow(queue);
        Assert.That(blocked.Wait(Timeouts.Signal), Is.True);
        Assert.That(blocked.Result, Is.True);
        drained.AddRange(DrainNow(queue));
        Assert.That(drained.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, sequence - 1).Append(sequence)));
    }

    [Test]
    public void DropOldestIsRefusedNamingTheParameter()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<ArgumentException>(() => new DurableLogEventQueue(folder.Path, fullMode: QueueFullMode.DropOldest));

        Assert.That(error!.ParamName, Is.EqualTo("fullMode"));
    }

    [Test]
    public void AnEventLargerThanASegmentIsDroppedAndReportedAndTheNextOneIsWritten()
    {
        using var folder = new TempFolder();
        var failures = new CollectingFailureListener();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        queue.SetFailureListener(failures);
        var large = new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, new Serilog.Parsing.MessageTemplateParser().Parse("{Text}"),
            [new LogEventProperty("Text", new ScalarValue(new string('x', 300 * 1024)))]);

        Assert.That(queue.Enqueue(large, CancellationToken.None), Is.False);
        Assert.That(queue.Enqueue(Some.Event(1), CancellationToken.None), Is.True);

        Assert.That(failures.Failures.Single().Message, Does.Contain("more than a segment holds"));
        Assert.That(failures.FailedEvents, Is.EqualTo(new[] { large }));
        Assert.That(queue.DroppedCount, Is.EqualTo(1));
        Assert.That(DrainNow(queue).Select(Some.SequenceOf), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void AnEventLoggedWhileAnotherIsBeingEncodedOnTheSameThreadLeavesBothWhole()
    {
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var outer = new LogEvent(DateTimeOffset.Now, LogEventLevel.Error, new LoggingException(queue), Some.Event(1).MessageTemplate,
            Some.Event(1).Properties.Select(p => new LogEventProperty(p.Key, p.Value)));

        queue.Enqueue(outer, CancellationToken.None);
        var events = DrainNow(queue);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(events[1].Exception!.ToString(), Is.EqualTo("LoggingException's text"));
    }

    /// <summary>An exception whose text logs an event into the queue that is encoding it.</summary>
    sealed class LoggingException(DurableLogEventQueue queue) : Exception
    {
        public override string ToString()
        {
            queue.Enqueue(Some.Event(2), CancellationToken.None);
            return "LoggingException's text";
        }
    }
}
