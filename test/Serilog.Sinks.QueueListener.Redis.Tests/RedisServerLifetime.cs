using Serilog.Sinks.QueueListener.Redis.Tests.Support;

namespace Serilog.Sinks.QueueListener.Redis.Tests;

/// <summary>Stops the run's shared <see cref="RedisServer"/> when every test has run.</summary>
/// <remarks>In the assembly's root namespace, so that it wraps every fixture: a set-up fixture applies to its own
/// namespace and those below it, and a filtered run may include none of the others.</remarks>
[SetUpFixture]
public class RedisServerLifetime
{
    [OneTimeTearDown]
    public void StopTheSharedServer() => RedisServer.StopShared();
}
