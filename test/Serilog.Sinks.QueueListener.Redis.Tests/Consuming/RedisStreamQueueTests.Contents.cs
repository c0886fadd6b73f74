using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>Whatever an event holds arrives through the stream as CLEF carries it.</summary>
public partial class RedisStreamQueueTests
{
    static readonly string[] StreamPropertyNames =
    [
        RedisStreamQueue.EntryIdPropertyName, RedisStreamQueue.EntryIndexPropertyName, RedisStreamQueue.ProducerPropertyName,
        RedisStreamQueue.SequencePropertyName,
    ];

    sealed class Node
    {
        public int Depth { get; set; }
        public Node? Next { get; set; }
    }

    static Node Chain(int depth) => new() { Depth = depth, Next = depth == 1 ? null : Chain(depth - 1) };

    /// <summary>Log through the stream with <paramref name="log"/>, keeping what was logged; read it back in
    /// order.</summary>
    static (List<LogEvent> Logged, List<LogEvent> Read) ThroughTheStream(Action<ILogger> log, int maximumDepth = 10,
        CollectingFailureListener? failures = null)
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        var logged = new CollectingSink();
        using (var logger = new LoggerConfiguration()
                   .MinimumLevel.Verbose()
                   .Destructure.ToMaximumDepth(maximumDepth)
                   .WriteTo.Sink(logged)
                   .WriteTo.Queue(a => a.RedisStream(server.Configuration, streamKey))
                   .CreateLogger())
        {
            log(logger);
        }

        var read = new CollectingSink();
        using (var queue = new RedisStreamQueue(server.Configuration, streamKey))
        {
            if (failures is not null) queue.SetFailureListener(failures);
            using var listener = new QueueListenerType(queue, read).Start();
            // A report is no event: polled, to stop at whichever comes first.
            Poll.Until(() => read.Events.Count == logged.Events.Count || failures?.Failures.Count > 0, Arrival);
            Assert.That(listener.Stop(Arrival), Is.True);
        }

        return (logged.Events, read.Events);
    }

    static string[] OwnPropertiesOf(LogEvent logEvent) =>
        [.. ClefRoundTrip.PropertiesOf(logEvent).Where(p => !StreamPropertyNames.Any(n => p.StartsWith(n + "=", StringComparison.Ordinal)))];

    [Test]
    public void EventsWithUnusualContentsArriveThroughTheStreamAsTheyRoundTripInProcess()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom\non two lines", new ArgumentException("inner \"quoted\""));
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        var huge = new string('é', 1_000_000) + "😀";
        var (logged, read) = ThroughTheStream(log =>
        {
            log.Information("First {N}", 0);
            log.Information("Huge {N} {Text}", 1, huge);
            log.Warning("Unicode {N} {Text}", 2, "😀 e\u0301 مرحبا \u2028\u2029 \0 \uFEFF\t\r\n");
            log.ForContext("@t", "not a timestamp").ForContext("@mt", "not a template").ForContext("@@x", 1).ForContext("@", true)
                .Information("Reserved {N} {@l}", 3, "not a level");
            log.Error(thrown, "Failed {N}", 4);
            log.Debug("Nested {N} {@Chain} {@Map} {Items}", 5, Chain(8),
                new Dictionary<string, object?> { ["a b"] = new[] { 1, 2 }, ["c"] = null }, new object[] { new[] { "x" }, 1.5m, null! });
            log.Information("Last {N}", 6);
        });

        Assert.That(read, Has.Count.EqualTo(logged.Count), "events lost");
        for (var i = 0; i < logged.Count; i++)
        {
            var expected = ClefRoundTrip.Of(logged[i]);
            Assert.Multiple(() =>
            {
                Assert.That(OwnPropertiesOf(read[i]), Is.EqualTo(ClefRoundTrip.PropertiesOf(expected)), $"event {i}");
                Assert.That(read[i].RenderMessage(CultureInfo.InvariantCulture), Is.EqualTo(expected.RenderMessage(CultureInfo.InvariantCulture)));
                Assert.That(read[i].Exception?.ToString(), Is.EqualTo(logged[i].Exception?.ToString()));
                Assert.That(read[i].Level, Is.EqualTo(logged[i].Level));
                Assert.That(read[i].Timestamp, Is.EqualTo(logged[i].Timestamp));
            });
        }

        // An entry takes no event after one that brings its lines past 64 KiB.
        var hugeEntry = read[1].Properties[RedisStreamQueue.EntryIdPropertyName].ToString();
        Assert.That(read.Where(e => e.Properties[RedisStreamQueue.EntryIdPropertyName].ToString() == hugeEntry).Last(), Is.SameAs(read[1]));
    }

    [Test]
    public void AnEventNestedDeeperThanSixtyFourLevelsArrives()
    {
        // With its destructuring depth raised, a logger writes a structure of any depth.
        var failures = new CollectingFailureListener();
        var (logged, read) = ThroughTheStream(log => log.Information("Deep {@Chain}", Chain(70)), maximumDepth: 100, failures);

        Assert.Multiple(() =>
        {
            Assert.That(failures.Failures.Select(f => f.Message + " " + f.Exception?.Message), Is.Empty);
            Assert.That(read, Has.Count.EqualTo(1));
        });
        Assert.That(OwnPropertiesOf(read[0]), Is.EqualTo(ClefRoundTrip.PropertiesOf(logged[0])));
    }
}
