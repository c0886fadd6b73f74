using Microsoft.Extensions.Logging;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// The messages the hosting tests log, through source-generated logging methods as an application
/// would write them.
/// </summary>
static partial class HostLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Event {Producer}-{Number}")]
    public static partial void Numbered(this Microsoft.Extensions.Logging.ILogger logger, int producer, int number);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service started")]
    public static partial void ServiceStarted(this Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service stopping")]
    public static partial void ServiceStopping(this Microsoft.Extensions.Logging.ILogger logger);
}
