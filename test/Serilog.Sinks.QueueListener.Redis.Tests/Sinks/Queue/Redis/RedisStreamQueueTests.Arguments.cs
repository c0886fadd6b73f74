using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Sinks.Queue.Redis;

/// <summary>Bad arguments: refused naming the parameter, before anything is connected.</summary>
public partial class RedisStreamQueueTests
{
    static readonly (string Parameter, Func<string, RedisStreamQueue> Create)[] BadArguments =
    [
        ("streamKey", c => new RedisStreamQueue(c, "")),
        ("groupName", c => new RedisStreamQueue(c, "logs", groupName: " ")),
        ("consumerName", c => new RedisStreamQueue(c, "logs", consumerName: "")),
        ("readCount", c => new RedisStreamQueue(c, "logs", readCount: 0)),
        ("pollInterval", c => new RedisStreamQueue(c, "logs", pollInterval: TimeSpan.Zero)),
        ("claimIdleTime", c => new RedisStreamQueue(c, "logs", claimIdleTime: TimeSpan.FromDays(2))),
        ("maxDeliveryCount", c => new RedisStreamQueue(c, "logs", maxDeliveryCount: 0)),
        ("trimInterval", c => new RedisStreamQueue(c, "logs", trimInterval: TimeSpan.Zero)),
    ];

    static IEnumerable<TestCaseData> BadArgumentCases() => BadArguments.Select((a, i) => new TestCaseData(i).SetArgDisplayNames(a.Parameter));

    [TestCaseSource(nameof(BadArgumentCases))]
    public void ABadArgumentIsRefusedNamingItWithoutOpeningAConnection(int index)
    {
        var (parameter, create) = BadArguments[index];
        using var server = RedisServer.Start();
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");
        var redis = admin.GetServer(admin.GetEndPoints()[0]);
        var before = redis.ClientList().Length;

        var exception = Assert.Catch<ArgumentException>(() => create(server.Configuration));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.ParamName, Is.EqualTo(parameter));
            // A connection opened and dropped on the floor goes on reconnecting until the process ends.
            Assert.That(redis.ClientList(), Has.Length.EqualTo(before), "a connection was opened");
        });
    }
}
