using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// An <see cref="ILogEventPropertyFactory"/> that captures values through a logger's
/// <see cref="ILogger.BindProperty"/>, so enrichers run outside a logger capture values as they would inside one.
/// </summary>
sealed class LoggerPropertyFactory(ILogger logger) : ILogEventPropertyFactory
{
    public LogEventProperty CreateProperty(string name, object? value, bool destructureObjects = false)
    {
        return logger.BindProperty(name, value, destructureObjects, out var property)
            ? property
            : new LogEventProperty(name, new ScalarValue(value));
    }
}
