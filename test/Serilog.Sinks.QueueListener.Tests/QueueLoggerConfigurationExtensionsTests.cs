using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests;

public class QueueLoggerConfigurationExtensionsTests
{
    [Test]
    public void EventsReachTheWrappedSinksOnTheListenerThreadAndDisposeDrainsThem()
    {
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(sink))
            .CreateLogger();

        for (var i = 0; i < 1000; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        logger.Dispose();

        Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 1000)));
        Assert.That(sink.ThreadIds.Distinct().Single(), Is.Not.EqualTo(Environment.CurrentManagedThreadId));
        Assert.That(sink.DisposeCount, Is.EqualTo(1));
    }

    [Test]
    public void EveryEventReachesTheFileSinkBeforeCloseAndFlushReturns()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.File(path, outputTemplate: "{Message:lj}{NewLine}"), bufferSize: 64)
            .CreateLogger();

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++) logger.Information("{Producer}:{Sequence}", p, i);
        })).ToArray();
        Assert.That(Task.WaitAll(producers, Timeouts.Signal), Is.True);
        logger.Dispose();

        var lines = System.IO.File.ReadAllLines(path);
        Assert.That(lines, Has.Length.EqualTo(20_000));
        foreach (var producer in lines.GroupBy(l => l.Split(':')[0]))
        {
            Assert.That(producer.Select(l => int.Parse(l.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)),
                Is.EqualTo(Enumerable.Range(0, 5000)), $"producer {producer.Key}");
        }
    }

    [Test]
    public void SeveralWrappedSinksEachReceiveEveryEvent()
    {
        var first = new CollectingSink();
        var second = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(first).WriteTo.Sink(second))
            .CreateLogger();

        logger.Information("Event {Sequence} from {Producer}", 1, 0);
        logger.Dispose();

        Assert.That(first.Events, Has.Count.EqualTo(1));
        Assert.That(second.Events, Has.Count.EqualTo(1));
        Assert.That(first.DisposeCount + second.DisposeCount, Is.EqualTo(2));
    }

    [Test]
    public void RestrictedToMinimumLevelFiltersBeforeTheEnqueue()
    {
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Queue(a => a.Sink(sink), restrictedToMinimumLevel: LogEventLevel.Warning)
            .CreateLogger();

        logger.Information("dropped by level");
        logger.Warning("kept");
        logger.Dispose();

        Assert.That(sink.Events.Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "kept" }));
    }

    [Test]
    public void ALevelSwitchFiltersBeforeTheEnqueueAndCanChangeAtRunTime()
    {
        var sink = new CollectingSink();
        var levelSwitch = new LoggingLevelSwitch(LogEventLevel.Error);
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Queue(a => a.Sink(sink), levelSwitch: levelSwitch)
            .CreateLogger();

        logger.Information("first");
        levelSwitch.MinimumLevel = LogEventLevel.Information;
        logger.Information("second");
        logger.Dispose();

        Assert.That(sink.Events.Select(e => e.MessageTemplate.Text), Is.EqualTo(new[] { "second" }));
    }

    [Test]
    public void PrepareEnrichersRunOnTheListenerThreadOnAPrivateCopy()
    {
        var inside = new CollectingSink();
        var outside = new CollectingSink();
        var enricherThreads = new List<int>();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(inside), prepare: e =>
            {
                e.WithProperty("Prepared", true);
                e.With(new DelegatingEnricher(_ => enricherThreads.Add(Environment.CurrentManagedThreadId)));
            })
            .WriteTo.Sink(outside)
            .CreateLogger();

        logger.Information("Event {Sequence} from {Producer}", 1, 0);
        logger.Dispose();

        var seenInside = inside.Events.Single();
        var seenOutside = outside.Events.Single();
        Assert.That(seenInside.Properties["Prepared"].ToString(), Is.EqualTo("True"));
        Assert.That(seenOutside.Properties.ContainsKey("Prepared"), Is.False);
        Assert.That(seenInside, Is.Not.SameAs(seenOutside));
        Assert.That(enricherThreads, Is.EqualTo(inside.ThreadIds));
        Assert.That(enricherThreads.Single(), Is.Not.EqualTo(Environment.CurrentManagedThreadId));
    }

    [Test]
    public void AListenerTypeIsUsedInsteadOfTheBaseClass()
    {
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(sink), listenerType: typeof(SubclassedListener))
            .CreateLogger();

        logger.Information("Event {Sequence} from {Producer}", 1, 0);
        logger.Dispose();

        Assert.That(sink.Events.Single().Properties["PreparedBy"].ToString(), Is.EqualTo("\"SubclassedListener\""));
    }

    [TestCase(typeof(string))]
    [TestCase(typeof(ListenerWithoutUsableConstructor))]
    [TestCase(typeof(Serilog.Sinks.Queue.QueueListener[]))]
    public void AnUnusableListenerTypeIsRejectedByNameAtConfigurationTime(Type listenerType)
    {
        Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), listenerType: listenerType),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("listenerType"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(int.MaxValue)]
    public void ABufferSizeOutOfRangeIsRejectedByName(int bufferSize)
    {
        Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => a.Sink(new CollectingSink()), bufferSize),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("bufferSize"));
    }

    [Test]
    public void OtherBadArgumentsAreRejectedByName()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("configure"));
            Assert.That(() => QueueLoggerConfigurationExtensions.Queue(null!, a => { }),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("loggerSinkConfiguration"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => { }, fullMode: (QueueFullMode)7),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("fullMode"));
            Assert.That(() => new LoggerConfiguration().WriteTo.Queue(a => { }, shutdownTimeout: TimeSpan.FromSeconds(-3)),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("shutdownTimeout"));
        });
    }

    [Test]
    public void DroppedEventsAreReportedThroughTheFailureListenerOfTheSink()
    {
        var gated = new GatedSink();
        var failures = new CollectingFailureListener();
        var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.Sink(gated), bufferSize: 1, fullMode: QueueFullMode.DropIncoming), failures)
            .CreateLogger();

        logger.Information("Event {Sequence} from {Producer}", 0, 0);
        Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
        logger.Information("Event {Sequence} from {Producer}", 1, 0);
        logger.Information("Event {Sequence} from {Producer}", 2, 0);
        gated.Open();
        logger.Dispose();

        Assert.That(gated.Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(failures.FailedEvents.Select(Some.SequenceOf), Is.EqualTo(new[] { 2 }));
    }

    sealed class DelegatingEnricher(Action<LogEvent> enrich) : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) => enrich(logEvent);
    }

    [Test]
    public void AListenerFactoryBuildsAListenerWhoseConstructorTakesMore()
    {
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.Sink(sink), listenerFactory: (queue, sinks) => new LabellingListener(queue, sinks, "from the factory"))
            .CreateLogger();

        logger.Information("Tagged");
        logger.Dispose();

        Assert.That(sink.Events.Select(e => e.Properties["Label"].ToString()), Is.EqualTo(new[] { "\"from the factory\"" }));
    }

    [Test]
    public void AListenerFactoryThatStartsItsListenerIsRefusedSayingWhatTheFactoryDidWrong()
    {
        Listener? made = null;
        try
        {
            Assert.That(() => new LoggerConfiguration()
                    .WriteTo.Queue(a => a.Sink(new CollectingSink()), listenerFactory: (queue, sinks) => made = new Listener(queue, sinks).Start()),
                Throws.InvalidOperationException.With.Message.Contains("factory"));
        }
        finally
        {
            made?.Dispose();
        }
    }
}
