using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Serilog.Settings.Configuration;
using Serilog.Sinks.Queue.Redis;
using Serilog.Sinks.QueueListener.Redis.Tests.Support;
using StackExchange.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Producing;

/// <summary>
/// The producer side configured from JSON settings, as an application reads them: <c>WriteTo.Queue</c> wrapping
/// <c>RedisStream</c>.
/// </summary>
public class RedisJsonConfigurationTests
{
    [Test]
    public void AProducerConfiguredFromJsonWritesItsEventsToTheStream()
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
                        { "Name": "RedisStream", "Args": { "configuration": "{{server.Configuration}}", "streamKey": "{{streamKey}}", "batchSizeLimit": 50 } }
                      ],
                      "bufferSize": 100
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
            for (var i = 0; i < 200; i++) logger.Information("Event {N}", i);
        }

        using var connection = ConnectionMultiplexer.Connect(server.Configuration);
        var numbers = connection.GetDatabase().StreamRange(streamKey)
            .SelectMany(e => ClefReader.ReadLines((byte[])e[RedisStreamFormat.EventsField]!))
            .Select(e => int.Parse(e.Properties["N"].ToString(), CultureInfo.InvariantCulture))
            .ToList();
        Assert.That(numbers, Is.EqualTo(Enumerable.Range(0, 200)));
    }

    [Test]
    public void WaitForReplicasIsReadFromJsonSettingsAndSendsWaitAfterTheEntry()
    {
        // A server of its own, without replicas, so that every WAIT it counts is this producer's, and none succeeds.
        using var server = RedisServer.Start();
        var streamKey = "json-" + Guid.NewGuid().ToString("N");
        var json = $$"""
            {
              "Serilog": {
                "WriteTo": [
                  {
                    "Name": "Queue",
                    "Args": {
                      "configure": [
                        { "Name": "RedisStream", "Args": { "configuration": "{{server.Configuration}}", "streamKey": "{{streamKey}}", "waitForReplicas": 1 } }
                      ],
                      "shutdownTimeout": "00:00:02"
                    }
                  }
                ]
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = new ConfigurationReaderOptions(typeof(QueueLoggerConfigurationExtensions).Assembly,
            typeof(RedisLoggerConfigurationExtensions).Assembly);
        using var admin = ConnectionMultiplexer.Connect(server.Configuration + ",allowAdmin=true");

        using (var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration, options).CreateLogger())
        {
            logger.Information("Event {N}", 0);
            Assert.That(Poll.Until(() => (admin.GetServer(admin.GetEndPoints()[0]).InfoRaw("commandstats") ?? "").Contains("cmdstat_wait:", StringComparison.Ordinal),
                StreamEvents.Arrival), Is.True, "no WAIT was sent");
        }

        Assert.That(admin.GetDatabase().StreamLength(streamKey), Is.EqualTo(1), "the retries added the entry again");
    }

    [TestCase(-1)]
    [TestCase(101)]
    public void TheNumberOfReplicasToWaitForIsCheckedAtConfiguration(int waitForReplicas)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LoggerConfiguration().WriteTo.RedisStream("localhost:1,abortConnect=false", "logs", waitForReplicas: waitForReplicas));
        Assert.That(exception!.ParamName, Is.EqualTo("waitForReplicas"));
    }
}
