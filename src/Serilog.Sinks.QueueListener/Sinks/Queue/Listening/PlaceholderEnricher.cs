using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Stands in for the <c>prepare</c> enrichers in the throwaway configuration they were collected from; see
/// <see cref="EventPreparation.Create"/>.
/// </summary>
sealed class PlaceholderEnricher : ILogEventEnricher, IDisposable
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
    }

    public void Dispose()
    {
    }
}
