using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Adds App = "Demo"; named in JSON settings by its type name, the way Serilog.Settings.Configuration builds an
/// <see cref="ILogEventEnricher"/> argument.
/// </summary>
class AppEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("App", "Demo"));
    }
}
