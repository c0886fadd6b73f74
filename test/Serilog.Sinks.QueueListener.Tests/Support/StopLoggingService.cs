using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A hosted service that logs as the host starts and as it stops: the last events an application writes.
/// </summary>
sealed class StopLoggingService(ILogger<StopLoggingService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.ServiceStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        logger.ServiceStopping();
        return Task.CompletedTask;
    }
}
