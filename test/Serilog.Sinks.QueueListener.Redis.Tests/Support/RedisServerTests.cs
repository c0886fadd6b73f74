using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

public class RedisServerTests
{
    [Test]
    public void TheSharedServerAnswersOnLoopback()
    {
        var server = RedisServer.Shared;
        using var redis = ConnectionMultiplexer.Connect(server.Configuration);

        Assert.That(redis.GetDatabase().Ping(), Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    /// <remarks>A process that is not the server stands in for a redis-server that has not yet found its port taken
    /// (it exits a moment later): the one that answers on the port is another's, and is not taken for it.</remarks>
    [Test]
    public void AnotherServerAnsweringOnThePortIsNotTakenForTheOneStarted()
    {
        using var other = RedisServer.Start();
        using var notTheServer = System.Diagnostics.Process.Start("sleep", "30");

        var refused = Assert.Throws<InvalidOperationException>(() =>
            Serilog.Sinks.QueueListener.Testing.RedisProcess.WaitUntilAnswering(notTheServer, other.Port, TimeSpan.FromSeconds(10), () => ""));

        Assert.That(refused!.Message, Does.Contain("another redis-server's"));
        Assert.That(notTheServer.WaitForExit(5000), Is.True, "the process started was not stopped");
    }

    [Test]
    public void AServerOfOnesOwnKeepsTheAppendOnlyFileAndStops()
    {
        int port;
        using (var server = RedisServer.Start(appendOnly: true))
        {
            port = server.Port;
            using var redis = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
            var config = redis.GetServer("127.0.0.1", port).ConfigGet("appendonly").Single();
            Assert.That(config.Value, Is.EqualTo("yes"));
        }

        using var again = ConnectionMultiplexer.Connect($"127.0.0.1:{port},abortConnect=false,connectTimeout=500");
        Assert.That(again.IsConnected, Is.False);
    }
}
