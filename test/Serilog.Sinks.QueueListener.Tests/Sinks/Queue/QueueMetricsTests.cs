using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue;

public class QueueMetricsTests
{
    static string UniqueName() => "test-" + Guid.NewGuid().ToString("n");

    [Test]
    public void TheCountersAndGaugesReportTheQueueUnderItsName()
    {
        var name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var gated = new GatedSink();
        QueueHandle? queue = null;
        using var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(gated).WriteTo.Sink(new ThrowingSink(everyNth: 2)), bufferSize: 1,
                fullMode: QueueFullMode.DropIncoming, name: name, monitor: h => queue = h)
            .CreateLogger();
        logger.Write(Some.Event(0));
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        logger.Write(Some.Event(1));
        logger.Write(Some.Event(2));

        metrics.Observe();
        Assert.That(metrics.Latest("serilog.queue.enqueued"), Is.EqualTo(2));
        Assert.That(metrics.Latest("serilog.queue.dropped"), Is.EqualTo(1));
        Assert.That(metrics.All("serilog.queue.dropped").Single().Tags["queue.full_mode"], Is.EqualTo("DropIncoming"));
        Assert.That(metrics.Latest("serilog.queue.depth"), Is.EqualTo(1));
        Assert.That(metrics.Latest("serilog.queue.capacity"), Is.EqualTo(1));

        gated.Open();
        Assert.That(queue!.Flush(Timeouts.Signal), Is.True);
        metrics.Observe();
        Assert.That(metrics.Latest("serilog.queue.handled"), Is.EqualTo(2));
        Assert.That(metrics.Latest("serilog.queue.sink_failures"), Is.EqualTo(1));
        Assert.That(metrics.Latest("serilog.queue.depth"), Is.Zero);
        Assert.That(queue.Name, Is.EqualTo(name));
    }

    [Test]
    public void TheLatencyHistogramRecordsEachHandledEventWhileSomeoneListens()
    {
        var name = UniqueName();
        using var metrics = new MetricsCollector(name);
        using (var logger = new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), name: name).CreateLogger())
        {
            for (var i = 0; i < 5; i++) logger.Write(Some.Event(i));
        }

        var latencies = metrics.All("serilog.queue.latency");
        Assert.That(latencies, Has.Count.EqualTo(5));
        Assert.That(latencies.Select(m => m.Value), Is.All.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void TheLatencyHistogramIsEnabledOnlyWhileSomeoneListens()
    {
        // The listener thread checks this flag before timing an event, so that nobody listening costs nothing.
        Assert.That(QueueMetrics.Latency.Enabled, Is.False);
        using (new MetricsCollector(UniqueName()))
        {
            Assert.That(QueueMetrics.Latency.Enabled, Is.True);
        }

        Assert.That(QueueMetrics.Latency.Enabled, Is.False);
    }

    [Test]
    public void AStoppedListenerIsNoLongerObserved()
    {
        var name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var queue = new LogEventQueue();
        var listener = new Listener(queue, new CollectingSink()) { Name = name }.Start();
        metrics.Observe();
        Assert.That(metrics.All("serilog.queue.capacity"), Has.Count.EqualTo(1));

        listener.Dispose();
        metrics.Clear();
        metrics.Observe();

        Assert.That(metrics.All("serilog.queue.capacity"), Is.Empty);
    }

    [Test]
    public void ARestartedListenerIsObservedOnce()
    {
        var name = UniqueName();
        using var metrics = new MetricsCollector(name);
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()) { Name = name }.Start();
        listener.Stop();
        listener.Start();

        metrics.Observe();

        Assert.That(metrics.All("serilog.queue.capacity"), Has.Count.EqualTo(1));
    }

    [Test]
    public void AUserQueueWhoseCountThrowsIsLeftOutOnceReportedAndTheOtherQueuesAreStillObserved()
    {
        var name = UniqueName();
        using var metrics = new MetricsCollector(name);
        var failures = new CollectingFailureListener();
        var failing = new CountThrowingQueue(new LogEventQueue());
        using var failingListener = new Listener(failing, new CollectingSink()) { Name = "failing-" + name };
        failingListener.SetFailureListener(failures);
        failingListener.Start();
        using var listener = new Listener(new LogEventQueue(), new CollectingSink()) { Name = name }.Start();

        Assert.That(metrics.Observe, Throws.Nothing);
        Assert.That(metrics.Observe, Throws.Nothing);

        Assert.That(metrics.All("serilog.queue.depth").Select(m => m.Value), Is.EqualTo(new[] { 0.0, 0.0 }));
        Assert.That(failures.Failures.Count(f => f.Exception == failing.Failure), Is.EqualTo(1));
    }

    [Test]
    public void EachListenerHasADistinctDefaultName()
    {
        using var first = new Listener(new LogEventQueue(), new CollectingSink());
        using var second = new Listener(new LogEventQueue(), new CollectingSink());

        Assert.That(first.Name, Does.StartWith("queue-"));
        Assert.That(second.Name, Is.Not.EqualTo(first.Name));
    }

    [Test]
    public void AnEmptyNameIsRejectedByName()
    {
        Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), name: " "),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("name"));
        using var listener = new Listener(new LogEventQueue(), new CollectingSink());
        Assert.That(() => listener.Name = "", Throws.ArgumentException);
    }
}
