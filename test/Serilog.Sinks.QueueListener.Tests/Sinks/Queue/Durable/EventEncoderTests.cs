using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// The caller's side of the spool once warm: encoding an event and writing its record allocates nothing.
/// </summary>
public class EventEncoderTests
{
    [Test]
    public void EnqueueingIntoASpoolAllocatesNothingPerEventOnceWarm()
    {
        const int Events = 10_000;
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path);
        var logEvent = new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, Some.Event().MessageTemplate,
        [
            new LogEventProperty("Sequence", new ScalarValue(1)),
            new LogEventProperty("Producer", new ScalarValue("a name")),
            new LogEventProperty("Id", new ScalarValue(Guid.NewGuid())),
        ]);
        for (var i = 0; i < 100; i++) queue.Enqueue(logEvent, CancellationToken.None);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Events; i++) queue.Enqueue(logEvent, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.LessThan(Events), "bytes allocated over all the events: less than one per event");
        Assert.That(DrainNow(queue), Has.Count.EqualTo(Events + 100));
    }
}
