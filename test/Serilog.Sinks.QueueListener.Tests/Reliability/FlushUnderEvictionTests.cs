using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A flush in <see cref="QueueFullMode.DropOldest"/> mode, whose marker waits behind events that newer ones may still
/// evict: the evicted events are reported, not written, and the flush is not failed by them.
/// </summary>
public class FlushUnderEvictionTests
{
    [Test]
    public async Task EventsLoggedBeforeAFlushAndEvictedWhileItWaitsAreReportedAndTheFlushStillSucceeds()
    {
        QueueHandle? queue = null;
        var gated = new GatedSink();
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.Queue(a => a.Sink(gated), bufferSize: 4, fullMode: QueueFullMode.DropOldest,
                monitor: q => queue = q), failures)
            .CreateLogger();
        bool flushed;
        try
        {
            // The listener holds event 0 in the gate; events 1 to 4 fill the queue; the flush's marker stands behind them.
            logger.Information("Event {Sequence}", 0);
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
            for (var i = 1; i <= 4; i++) logger.Information("Event {Sequence}", i);
            var flush = queue!.FlushAsync(Timeouts.Signal);

            // Four more evict events 1 to 4, logged before the flush was asked for.
            for (var i = 5; i <= 8; i++) logger.Information("Event {Sequence}", i);
            gated.Open();
            flushed = await flush;
        }
        finally
        {
            gated.Open();

            // Disposal delivers the drop reports still waiting for their timer.
            await logger.DisposeAsync();
        }

        Assert.That(failures.FailedEvents.Select(SequenceOf), Is.EquivalentTo(new[] { 1, 2, 3, 4 }));
        Assert.That(gated.Events.Select(SequenceOf), Is.EqualTo(new[] { 0, 5, 6, 7, 8 }));
        Assert.That(flushed, Is.True);
    }

    static int SequenceOf(LogEvent logEvent) => (int)((ScalarValue)logEvent.Properties["Sequence"]).Value!;
}
