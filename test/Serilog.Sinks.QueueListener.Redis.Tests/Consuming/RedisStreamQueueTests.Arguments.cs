using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Consuming;

/// <summary>Bad arguments: refused naming the parameter (or the option's property), before anything is connected.</summary>
public partial class RedisStreamQueueTests
{
    static readonly (string Parameter, Func<string, RedisStreamQueue> Create)[] BadArguments =
    [
        ("streamKey", c => new RedisStreamQueue(c, "")),
        ("GroupName", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { GroupName = " " })),
        ("ConsumerName", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { ConsumerName = "" })),
        ("ReadCount", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { ReadCount = 0 })),
        ("PollInterval", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { PollInterval = TimeSpan.Zero })),
        ("ClaimIdleTime", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { ClaimIdleTime = TimeSpan.FromDays(2) })),
        ("MaxDeliveryCount", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { MaxDeliveryCount = 0 })),
        ("TrimInterval", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { TrimInterval = TimeSpan.Zero })),
        ("Shards", c => new RedisStreamQueue(c, "logs", new RedisStreamQueueOptions { Shards = 0 })),
        ("streamKey", c => new RedisStreamQueue(c, "logs{app}", new RedisStreamQueueOptions { Shards = 3 })),
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
