using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Topology.Tests.Failover;

/// <summary>
/// A primary and a replica: the producer's <c>waitForReplicas</c> counts a batch as sent only once a replica has its
/// entry, and the collector waits out a primary that refuses writes for want of replicas
/// (<c>min-replicas-to-write</c>).
/// </summary>
public class ReplicaAcknowledgementTests
{
    static readonly TimeSpan Arrival = StreamEvents.Arrival;

    [Test]
    public void WithWaitForReplicasEveryEventIsOnTheReplicaOnceTheLoggerIsDisposed()
    {
        using var servers = new ReplicatedServers();
        var streamKey = StreamEvents.NewStreamKey("replicated");
        var failures = new CollectingFailureListener();
        const int count = 500;

        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(f => f.Queue(a => a.RedisStream(servers.Primary.Configuration, streamKey, waitForReplicas: 1)), failures)
                   .CreateLogger())
        {
            for (var i = 0; i < count; i++) logger.Information("Event {N}", i);
        }

        // Read at once, on the replica: a batch counted as sent is there already.
        Assert.That(failures.Failures, Is.Empty);
        Assert.That(EventNumbers(servers.ReplicaDatabase, streamKey), Is.EqualTo(Enumerable.Range(0, count)));
    }

    [Test]
    public void WithTheReplicaStoppedABatchIsNotCountedAsSentAndIsAddedOnceWhenTheReplicaReturns()
    {
        using var servers = new ReplicatedServers();
        var streamKey = StreamEvents.NewStreamKey("replicated");
        var failures = new CollectingFailureListener();
        const int count = 20;
        servers.StopReplica();

        QueueHandle? handle = null;
        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(f => f.Queue(a => a.RedisStream(servers.Primary.Configuration, streamKey, waitForReplicas: 1),
                       shutdownTimeout: TimeSpan.FromSeconds(30), monitor: q => handle = q), failures)
                   .CreateLogger())
        {
            for (var i = 0; i < count; i++) logger.Information("Event {N}", i);

            Assert.That(failures.WaitFor("replicas asked for acknowledged the entry", Arrival), Is.True, Describe(failures));
            Assert.That(handle!.Flush(TimeSpan.FromSeconds(1)), Is.False, "the batch counted as sent without a replica");

            // Attempts go on meanwhile (each a WAIT of 1 s, after a backoff): a retry finds the entry in the stream and
            // adds nothing, only the unchanging write beside it.
            Assert.That(Poll.Until(() => servers.PrimaryCalls("xsetid") >= 1, Arrival), Is.True, "no retry found the entry in the stream");
            servers.StartReplica();
            Assert.That(handle.Flush(Arrival), Is.True, Describe(failures));
        }

        Assert.That(EventNumbers(servers.ReplicaDatabase, streamKey), Is.EqualTo(Enumerable.Range(0, count)),
            "every event on the replica, none added twice by the retries");
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), Describe(failures));
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("again, after"));
    }

    [Test]
    public void UnderMinReplicasToWriteTheCollectorWaitsForTheReplicaAndThenWritesAndAcknowledgesEveryEventOnce()
    {
        using var servers = new ReplicatedServers("--min-replicas-to-write", "1");
        var streamKey = StreamEvents.NewStreamKey("replicated");
        const int count = 50;
        for (var i = 0; i < count; i++)
        {
            servers.PrimaryDatabase.StreamAdd(streamKey, RedisStreamFormat.EventsField, ClefLine(i));
        }

        var failures = new CollectingFailureListener();
        using var sink = new GatedSink();
        using var queue = new RedisStreamQueue(servers.Primary.Configuration, streamKey,
            new RedisStreamQueueOptions { GroupName = "g", ConsumerName = "one", ReadCount = 10 });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink).Start();

        // The first batch is read while the replica is up, and written once it is gone: its XACK, and the reads
        // after it, are refused (NOREPLICAS).
        Assert.That(sink.WaitEntered(Arrival), Is.True);
        servers.StopReplica();
        Assert.That(Poll.Until(servers.PrimaryRefusesWrites, Arrival), Is.True, "the primary still takes writes without its replica");
        sink.Open();
        Assert.That(failures.WaitFor("failed reading", Arrival), Is.True, Describe(failures));
        Assert.That(listener.IsRunning, Is.True);

        servers.StartReplica();
        Assert.That(sink.Written.WaitFor(count, Arrival), Is.True, Describe(failures));
        Assert.That(Poll.Until(() => servers.PrimaryDatabase.StreamPending(streamKey, "g").PendingMessageCount == 0, Arrival), Is.True,
            "entries left unacknowledged");
        Assert.That(sink.Written.Events.Select(StreamEvents.NumberOf), Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(listener.IsRunning, Is.True, "the collector stopped");
        Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary), Describe(failures));
        Assert.That(failures.Failures.Select(f => f.Message),
            Has.Some.Matches<string>(m => m is not null && m.Contains("failed reading", StringComparison.Ordinal) && m.Contains("NOREPLICAS", StringComparison.Ordinal)),
            "the outage's report does not name the refusal");
        Assert.That(failures.Failures.Select(f => f.Message), Has.Some.Contains("again, after"));
    }

    static List<int> EventNumbers(IDatabase database, string streamKey) =>
        [.. database.StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(StreamEvents.NumberOf)];

    static byte[] ClefLine(int n) => System.Text.Encoding.UTF8.GetBytes(
        $$"""{"@t":"2024-01-02T03:04:05.0000000Z","@mt":"Event {N}","N":{{n}}}""" + "\n");

    static Func<string> Describe(CollectingFailureListener failures) => () =>
        string.Join(" | ", failures.Failures.Select(f => $"{f.Kind}: {f.Message} {f.Exception?.Message}"));
}
