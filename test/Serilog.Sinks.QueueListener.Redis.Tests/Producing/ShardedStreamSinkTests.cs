using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Serilog.Settings.Configuration;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Producing;

/// <summary>The producer of a stream spread over several keys (<c>shards</c>): its settings, from code and from
/// JSON. What it writes, and how a collector reads it, is in <c>RedisStreamQueueTests.Shards</c>.</summary>
public class ShardedStreamSinkTests
{
    [TestCase(0)]
    [TestCase(StreamShards.MaxShards + 1)]
    public void TheNumberOfShardsIsCheckedAtConfiguration(int shards)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LoggerConfiguration().WriteTo.RedisStream("localhost:1,abortConnect=false", "logs", shards: shards));
        var option = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RedisStreamQueueOptions { Shards = shards });
        Assert.Multiple(() =>
        {
            Assert.That(exception!.ParamName, Is.EqualTo("shards"));
            Assert.That(option!.ParamName, Is.EqualTo(nameof(RedisStreamQueueOptions.Shards)));
        });
    }

    [Test]
    public void AKeyWithABraceIsRefusedForSeveralShardsSinceItsOwnHashTagWouldPutThemInOneSlot()
    {
        var exception = Assert.Throws<ArgumentException>(() =>
            new LoggerConfiguration().WriteTo.RedisStream("localhost:1,abortConnect=false", "logs{app}", shards: 2));
        Assert.That(exception!.ParamName, Is.EqualTo("streamKey"));
    }

    [Test]
    public void ShardsAreReadFromJsonSettingsAndEveryKeyGetsItsShareInOrder()
    {
        var server = RedisServer.Shared;
        var streamKey = "json-" + Guid.NewGuid().ToString("N");
        var json = $$"""
            {
              "Serilog": {
                "WriteTo": [
                  {
                    "Name": "Queue",
                    "Args": {
                      "configure": [
                        { "Name": "RedisStream", "Args": { "configuration": "{{server.Configuration}}", "streamKey": "{{streamKey}}", "shards": 3 } }
                      ]
                    }
                  }
                ]
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = new ConfigurationReaderOptions(typeof(QueueLoggerConfigurationExtensions).Assembly,
            typeof(RedisLoggerConfigurationExtensions).Assembly);

        using (var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration, options).CreateLogger())
        {
            for (var i = 0; i < 300; i++) logger.Information("Event {N}", i);
        }

        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var database = connection.GetDatabase();
        var perKey = StreamShards.KeysOf(streamKey, 3)
            .Select(key => database.StreamRange(key)
                .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
                .Select(e => int.Parse(e.Properties["N"].ToString(), CultureInfo.InvariantCulture))
                .ToList())
            .ToList();
        Assert.Multiple(() =>
        {
            Assert.That(perKey.SelectMany(n => n).Order(), Is.EqualTo(Enumerable.Range(0, 300)));
            Assert.That(perKey, Has.All.Not.Empty, "a key got no events");
            Assert.That(perKey, Has.All.Ordered, "a key's events out of order");
        });
    }
}
