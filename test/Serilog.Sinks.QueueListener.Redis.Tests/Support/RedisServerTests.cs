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
