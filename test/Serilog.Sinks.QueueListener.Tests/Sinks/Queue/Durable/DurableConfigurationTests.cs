using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary><c>WriteTo.Queue(..., spool: ...)</c>, from code and from a JSON file.</summary>
public class DurableConfigurationTests
{
    const string FilePath = "Serilog:WriteTo:0:Args:configure:0:Args:path";
    const string SpoolPath = "Serilog:WriteTo:0:Args:spool";

    [Test]
    public void ASpoolFromJsonDeliversWhatAnEarlierProcessLeftAndThenItsOwnEvents()
    {
        using var folder = new TempFolder();
        var spool = Path.Combine(folder.Path, "spool");
        var file = folder.AllocateFilename();
        using (var earlier = new DurableLogEventQueue(spool))
        {
            // Handed to a listener that died before acknowledging: written again, marked.
            earlier.Enqueue(Some.Event(1), CancellationToken.None);
            Take(earlier, 1);
            earlier.Enqueue(Some.Event(2), CancellationToken.None);
        }

        using (var logger = new LoggerConfiguration()
                   .ReadFrom.Configuration(JsonSettings.Load("Queue.Spool.json", (FilePath, file), (SpoolPath, spool)))
                   .CreateLogger())
        {
            logger.Information("Own {Sequence}", 3);

            // The limit of 1 MiB makes segments of a quarter of it (the earlier queue's, of the default limit, are
            // larger).
            Assert.That(new FileInfo(Path.Combine(spool, SegmentFiles(spool).Last())).Length, Is.EqualTo(256 * 1024));
        }

        Assert.That(LogFile.ReadLines(file), Is.EqualTo(new[] { "Event 1 from 0 True", "Event 2 from 0 ", "Own 3 " }));
    }

    [Test]
    public void EventsEmittedThroughASpooledQueueReachTheSinkAndFlushWaitsForThem()
    {
        using var folder = new TempFolder();
        var sink = new CollectingSink();
        QueueHandle? handle = null;
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Queue(a => a.Sink(sink), spool: folder.Path, monitor: q => handle = q)
                   .CreateLogger())
        {
            for (var i = 0; i < 1000; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);

            Assert.That(handle!.Flush(Timeouts.Signal), Is.True);
            Assert.That(sink.Events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 1000)));
        }

        // Acknowledged: a queue over the spool now finds nothing to write.
        using var after = new DurableLogEventQueue(folder.Path);
        Assert.That(DrainNow(after), Is.Empty);
    }

    [Test]
    public void AnEmptySpoolPathOrDropOldestIsRefusedAtConfiguration()
    {
        var configuration = new LoggerConfiguration();

        Assert.That(() => configuration.WriteTo.Queue(a => { }, spool: " "),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("spool"));
        Assert.That(() => configuration.WriteTo.Queue(a => { }, spool: "x", fullMode: QueueFullMode.DropOldest),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("fullMode"));
        Assert.That(() => configuration.WriteTo.Queue(a => { }, spool: "x", spoolSizeLimit: 1000),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("spoolSizeLimit"));
        Assert.That(() => configuration.WriteTo.Queue(a => { }, spool: "x", flushToDisk: TimeSpan.FromSeconds(-1)),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("flushToDisk"));
    }
}
