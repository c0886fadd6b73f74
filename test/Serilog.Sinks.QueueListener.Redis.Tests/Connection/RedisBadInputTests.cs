using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Connection;

/// <summary>Bad input and a missing server: a clear error at configuration where it can be known then, otherwise a
/// report; never a crash, never a hang beyond the timeouts, never a password in a report.</summary>
public class RedisBadInputTests
{
    static readonly TimeSpan Arrival = StreamEvents.Arrival;

    static string NewStreamKey() => StreamEvents.NewStreamKey("bad");

    static int NumberOf(LogEvent logEvent) => StreamEvents.NumberOf(logEvent);

    [Test]
    public void ACollectorRidesOutARedisRestartAndWritesWhatCameBeforeAndAfter()
    {
        using var server = RedisServer.Start(appendOnly: true);
        var streamKey = NewStreamKey();
        // Short timeouts, so that the outage is noticed and the reconnection made within the test's time.
        var configuration = server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000";
        var failures = new CollectingFailureListener();
        var sink = new CollectingSink();
        using var queue = new RedisStreamQueue(configuration, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" });
        queue.SetFailureListener(failures);
        using var listener = new QueueListenerType(queue, sink);
        listener.SetFailureListener(failures);
        listener.Start();

        Produce(configuration, streamKey, 0, 100);
        Assert.That(sink.WaitFor(100, Arrival), Is.True);

        server.Stop();
        Assert.That(failures.WaitFor("cannot be reached", Arrival), Is.True, "the outage was not reported");
        // The outage lasts well past the listener's own budget for a failing queue (about half a second).
        Thread.Sleep(TimeSpan.FromSeconds(2));
        server.Restart();

        Produce(configuration, streamKey, 100, 100);
        Assert.That(sink.WaitFor(200, Arrival), Is.True, $"{sink.Events.Count} of 200 arrived after the restart");
        Assert.Multiple(() =>
        {
            Assert.That(sink.Events.Select(NumberOf).Distinct().Order(), Is.EqualTo(Enumerable.Range(0, 200)));
            Assert.That(failures.Failures.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Temporary),
                string.Join(Environment.NewLine, failures.Failures.Select(f => f.Message + " " + f.Exception?.Message)));
        });
    }

    [Test]
    public void AKeyHoldingSomethingOtherThanAStreamIsReportedByTheProducerWithItsEventsAndDoesNotHoldTheApplication()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        connection.GetDatabase().StringSet(streamKey, "not a stream");
        var failures = new CollectingFailureListener();
        const int count = 500;

        using (var logger = new LoggerConfiguration()
                   .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(server.Configuration, streamKey, batchSizeLimit: 10), bufferSize: 10), failures)
                   .CreateLogger())
        {
            // Block mode, a small queue: were the refused batches retried, this would wait for ever.
            for (var i = 0; i < count; i++) logger.Information("Event {N}", i);
        }

        var refused = failures.Failures.Where(f => f.Kind == LoggingFailureKind.Permanent).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(refused.SelectMany(f => f.Events).Select(NumberOf).Order(), Is.EqualTo(Enumerable.Range(0, count)));
            Assert.That(refused.Select(f => f.Exception?.Message), Is.All.StartWith("WRONGTYPE"));
        });
    }

    [Test]
    public void AKeyHoldingSomethingOtherThanAStreamIsReportedByTheCollectorWhichStopsWithoutHanging()
    {
        var server = RedisServer.Shared;
        var streamKey = NewStreamKey();
        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        connection.GetDatabase().StringSet(streamKey, "not a stream");
        var failures = new CollectingFailureListener();

        using (var queue = new RedisStreamQueue(connection, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        {
            using var listener = new QueueListenerType(queue, new CollectingSink());
            listener.SetFailureListener(failures);
            listener.Start();
            Assert.That(failures.WaitFor("listener stops", Arrival), Is.True,
                "the listener did not give up on the key: " + string.Join(Environment.NewLine, failures.Failures.Select(f => f.Message + " " + f.Exception?.Message)));
            Assert.That(Task.Run(listener.Dispose).Wait(Arrival), Is.True, "disposal hung");
        }

        Assert.That(failures.Failures.Select(f => f.Exception?.Message), Has.Some.StartWith("WRONGTYPE"));
    }

    [Test]
    public void AWrongPasswordIsReportedWithoutThePasswordOnBothSides()
    {
        using var server = RedisServer.Start();
        const string password = "correct-horse-battery-staple";
        const string wrong = "wrong-horse-battery-staple";
        using (var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true"))
        {
            admin.GetServer(admin.GetEndPoints()[0]).ConfigSet("requirepass", password);
        }

        var streamKey = NewStreamKey();
        var configuration = server.Configuration + ",connectTimeout=1000,asyncTimeout=1000,syncTimeout=1000,password=" + wrong;
        var producerFailures = new CollectingFailureListener();
        var collectorFailures = new CollectingFailureListener();
        using (var queue = new RedisStreamQueue(configuration, streamKey, new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "one" }))
        {
            queue.SetFailureListener(collectorFailures);
            using var listener = new QueueListenerType(queue, new CollectingSink());
            listener.SetFailureListener(collectorFailures);
            listener.Start();

            using (var logger = new LoggerConfiguration()
                       .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, streamKey), shutdownTimeout: TimeSpan.FromSeconds(1)),
                           producerFailures)
                       .CreateLogger())
            {
                logger.Information("Event {N}", 1);
                Assert.That(producerFailures.WaitFor("retrying", Arrival), Is.True, "the producer did not report");
            }

            Assert.That(collectorFailures.WaitFor("authentication failed", Arrival), Is.True, "the collector did not report");
        }

        var texts = producerFailures.Failures.Concat(collectorFailures.Failures)
            .Select(f => f.Message + " " + f.Exception)
            .ToList();
        Assert.That(texts, Has.None.Contains(wrong));

        using var authenticated = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true,password=" + password);
        authenticated.GetServer(authenticated.GetEndPoints()[0]).ConfigSet("requirepass", "");
    }

    [Test]
    public void AProducerThatNeverReachesRedisReportsEveryEventByTheTimeItsProcessHasExited()
    {
        RedisServer.RequireInstalled();
        const int count = 5000;
        // Nothing listens on a port just freed; the short timeouts keep the process's end quick.
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()},abortConnect=false,connectTimeout=500,asyncTimeout=500,syncTimeout=500";
        using var producer = ProducerApp.StartCounting(configuration, NewStreamKey(), "unreachable", count, shutdownSeconds: 1);

        Assert.That(producer.WaitForExit(Arrival), Is.True, "the producer did not exit: " + producer.Describe());
        var line = producer.Lines.SingleOrDefault(l => l.StartsWith("reported ", StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, producer.Describe());
        var numbers = line!.Split(' ');
        var (distinct, total) = (int.Parse(numbers[1], CultureInfo.InvariantCulture), int.Parse(numbers[3], CultureInfo.InvariantCulture));
        TestContext.Out.WriteLine(line);
        Assert.Multiple(() =>
        {
            Assert.That(distinct, Is.EqualTo(count), "events neither sent nor reported: " + producer.Describe());
            // Once each: the event the listener was writing when the shutdown gave up is handed back by the sink, and
            // reported by the queue's shutdown alone.
            Assert.That(total, Is.EqualTo(count), "events reported twice: " + producer.Describe());
        });
    }

    [Test]
    public void AConfigurationStringThatCannotBeParsedIsRefusedNamingTheParameter()
    {
        var producer = Assert.Throws<ArgumentException>(() =>
            new LoggerConfiguration().WriteTo.RedisStream("localhost,password=secret-value,nosuchoption=1", "logs"));
        var collector = Assert.Throws<ArgumentException>(() =>
            new RedisStreamQueue("localhost,password=secret-value,nosuchoption=1", "logs"));
        Assert.Multiple(() =>
        {
            Assert.That(producer!.ParamName, Is.EqualTo("configuration"));
            Assert.That(collector!.ParamName, Is.EqualTo("configuration"));
            Assert.That(producer.Message + collector.Message, Does.Not.Contain("secret-value"));
        });
    }

    [TestCase(",")]
    [TestCase("abortConnect=false")]
    [TestCase("password=secret-value,ssl=true")]
    public void AConfigurationStringThatNamesNoServerIsRefusedNamingTheParameter(string configuration)
    {
        var producer = Assert.Catch<ArgumentException>(() => new LoggerConfiguration().WriteTo.RedisStream(configuration, "logs"));
        var collector = Assert.Catch<ArgumentException>(() => new RedisStreamQueue(configuration, "logs"));
        Assert.Multiple(() =>
        {
            Assert.That(producer!.ParamName, Is.EqualTo("configuration"));
            Assert.That(collector!.ParamName, Is.EqualTo("configuration"));
            Assert.That(producer.Message + collector.Message, Does.Not.Contain("secret-value"));
        });
    }

    static void Produce(string configuration, string streamKey, int start, int count)
    {
        using var logger = new LoggerConfiguration().WriteTo.Queue(a => a.RedisStream(configuration, streamKey)).CreateLogger();
        for (var i = start; i < start + count; i++) logger.Information("Event {N}", i);
    }
}
