namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>Stops the run's shared <see cref="RedisServer"/> when every test has run.</summary>
[SetUpFixture]
public class RedisServerLifetime
{
    [OneTimeTearDown]
    public void StopTheSharedServer() => RedisServer.StopShared();
}
