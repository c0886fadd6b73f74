using System.Diagnostics;
using Serilog.Debugging;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Connection;

/// <summary>
/// Start-up never waits for Redis, and what goes wrong with the connection is named, without the password, in the
/// first report on both sides.
/// </summary>
[NonParallelizable]
public class RedisStartupTests
{
    const string Password = "wrong-password-5b7e";

    /// <summary>What a start-up path may take. The target is 100 ms, and constructions take 1 to 80 ms here; but the
    /// first one in a test process also loads StackExchange.Redis, which took up to 171 ms on this 2-core machine
    /// while others built, so the bound asserted is 1 s: still five times shorter than the connect timeout (5 s) a
    /// server that does not answer used to cost.</summary>
    static readonly TimeSpan StartUpLimit = TimeSpan.FromSeconds(1);

    static readonly TimeSpan ReportWait = TimeSpan.FromSeconds(8);

    [Test]
    public void CreatingAProducerLoggerWhileRedisIsStoppedReturnsAtOnce()
    {
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()}";

        var watch = Stopwatch.StartNew();
        var logger = new LoggerConfiguration().WriteTo.Queue(a => a.RedisStream(configuration, "logs"), shutdownTimeout: TimeSpan.Zero)
            .CreateLogger();
        var elapsed = watch.Elapsed;
        logger.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void CreatingAProducerLoggerWhileRedisDoesNotAnswerReturnsAtOnce()
    {
        using var silent = new SilentServer();

        var watch = Stopwatch.StartNew();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream($"127.0.0.1:{silent.Port}", "logs"), shutdownTimeout: TimeSpan.Zero)
            .CreateLogger();
        var elapsed = watch.Elapsed;
        logger.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void ARedisStreamQueueWhileRedisDoesNotAnswerIsConstructedAtOnce()
    {
        using var silent = new SilentServer();

        var watch = Stopwatch.StartNew();
        var queue = new RedisStreamQueue($"127.0.0.1:{silent.Port}", "logs");
        var elapsed = watch.Elapsed;
        queue.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void CreatingAProducerLoggerWithAWrongPasswordReturnsAtOnce()
    {
        using var server = RedisServer.StartRequiringPassword("right-password-4711");

        var watch = Stopwatch.StartNew();
        var logger = new LoggerConfiguration()
            .WriteTo.Queue(a => a.RedisStream(server.Configuration + ",password=" + Password, "logs"), shutdownTimeout: TimeSpan.Zero)
            .CreateLogger();
        var elapsed = watch.Elapsed;
        logger.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void ARedisStreamQueueWithAWrongPasswordIsConstructedAtOnce()
    {
        using var server = RedisServer.StartRequiringPassword("right-password-4711");

        var watch = Stopwatch.StartNew();
        var queue = new RedisStreamQueue(server.Configuration + ",password=" + Password, "logs");
        var elapsed = watch.Elapsed;
        queue.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void ARedisStreamQueueWhileRedisIsStoppedIsConstructedAtOnce()
    {
        var watch = Stopwatch.StartNew();
        var queue = new RedisStreamQueue($"127.0.0.1:{RedisServer.FreeLoopbackPort()}", "logs");
        var elapsed = watch.Elapsed;
        queue.Dispose();

        TestContext.Out.WriteLine($"constructed in {elapsed.TotalMilliseconds:F1} ms");
        Assert.That(elapsed, Is.LessThan(StartUpLimit));
    }

    [Test]
    public void AProducerNamesARefusedPasswordInItsFirstReportAndNeverShowsIt()
    {
        using var server = RedisServer.StartRequiringPassword("right-password-4711");
        // A short connect timeout, so that StackExchange.Redis gives its first attempt up within the test's time.
        var configuration = server.Configuration + ",connectTimeout=1000,password=" + Password;

        var (failures, selfLog) = ProducerFirstReport(configuration);

        AssertNamedAndHidden(failures, selfLog, "authentication");
    }

    [Test]
    public void ACollectorNamesARefusedPasswordInItsFirstReportAndNeverShowsIt()
    {
        using var server = RedisServer.StartRequiringPassword("right-password-4711");
        var configuration = server.Configuration + ",connectTimeout=1000,password=" + Password;

        var (failures, selfLog) = CollectorFirstReport(configuration);

        AssertNamedAndHidden(failures, selfLog, "authentication");
    }

    [Test]
    public void AProducerNamesARefusedConnectionInItsFirstReport()
    {
        // StackExchange.Redis's first attempt on a refused port has taken from 0.1 s to two connect timeouts (10 s)
        // here; a short one keeps the first report within the test's time.
        var configuration = $"127.0.0.1:{RedisServer.FreeLoopbackPort()},connectTimeout=1000";

        var (failures, selfLog) = ProducerFirstReport(configuration);

        AssertNamedAndHidden(failures, selfLog, "refused the connection");
    }

    [Test]
    public void ACollectorNamesAnUnknownHostInItsFirstReport()
    {
        var (failures, selfLog) = CollectorFirstReport("no-such-host.invalid:6379");

        AssertNamedAndHidden(failures, selfLog, "is unknown");
    }

    /// <summary>What a producer over <paramref name="configuration"/> reports, with SelfLog and stderr, until its first
    /// report about Redis.</summary>
    static (CollectingFailureListener Failures, string Output) ProducerFirstReport(string configuration) => WithSelfLog(failures =>
    {
        using var logger = new LoggerConfiguration()
            .WriteTo.Fallible(w => w.Queue(a => a.RedisStream(configuration, "logs"), shutdownTimeout: TimeSpan.FromSeconds(1)), failures)
            .CreateLogger();
        logger.Information("Event {N}", 1);
        Assert.That(failures.WaitFor("redis", ReportWait), Is.True, "nothing was reported");
    });

    /// <summary>What a collector over <paramref name="configuration"/> reports, with SelfLog and stderr, until its
    /// first report.</summary>
    static (CollectingFailureListener Failures, string Output) CollectorFirstReport(string configuration) => WithSelfLog(failures =>
    {
        using var queue = new RedisStreamQueue(configuration, "logs");
        queue.SetFailureListener(failures);
        var deadline = DateTime.UtcNow + ReportWait;
        while (failures.Failures.Count == 0 && DateTime.UtcNow < deadline) queue.WaitToDequeue(TimeSpan.FromMilliseconds(100));
    });

    static (CollectingFailureListener Failures, string Output) WithSelfLog(Action<CollectingFailureListener> run)
    {
        var failures = new CollectingFailureListener();
        var selfLog = new System.Text.StringBuilder();
        SelfLog.Enable(line =>
        {
            lock (selfLog) selfLog.AppendLine(line);
        });
        // Whatever reaches stderr meanwhile too: a report with no failure listener may go there.
        var stderr = new StringWriter();
        var original = Console.Error;
        Console.SetError(TextWriter.Synchronized(stderr));
        try
        {
            run(failures);
        }
        finally
        {
            Console.SetError(original);
            SelfLog.Disable();
        }

        lock (selfLog) return (failures, selfLog + stderr.ToString());
    }

    static void AssertNamedAndHidden(CollectingFailureListener failures, string selfLog, string cause)
    {
        var reports = failures.Failures;
        foreach (var report in reports) TestContext.Out.WriteLine($"{report.Kind}: {report.Message}");
        var everything = string.Join("\n", reports.Select(r => r.Message + "\n" + r.Exception)) + "\n" + selfLog;

        Assert.Multiple(() =>
        {
            Assert.That(reports, Is.Not.Empty);
            Assert.That(reports.Count == 0 ? "" : reports[0].Message, Does.Contain(cause), "the first report names the cause");
            Assert.That(everything, Does.Not.Contain(Password));
        });
    }
}
