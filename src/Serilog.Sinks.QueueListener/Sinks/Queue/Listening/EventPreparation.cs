using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The <c>prepare</c> enrichers of <c>WriteTo.Queue</c>, run by <see cref="QueueListener.Prepare"/> on the listener
/// thread. They enrich a private copy: the original event may still be in the hands of sinks outside the queue, on
/// other threads, and must not change under them.
/// </summary>
sealed class EventPreparation
{
    readonly ILogEventEnricher _enricher;
    readonly ILogEventPropertyFactory _propertyFactory;

    EventPreparation(ILogEventEnricher enricher, ILogEventPropertyFactory propertyFactory)
    {
        _enricher = enricher;
        _propertyFactory = propertyFactory;
    }

    /// <summary>
    /// Collect the enrichers that <paramref name="configure"/> adds, or <see langword="null"/> when it adds none.
    /// </summary>
    public static EventPreparation? Create(Action<LoggerEnrichmentConfiguration> configure)
    {
        // A throwaway configuration only lends its enrichment syntax: Wrap hands back everything configure added as
        // one enricher, which is kept here. What goes back into the throwaway configuration is a placeholder that is
        // disposable only so that Wrap does not warn about undisposed enrichers.
        ILogEventEnricher? captured = null;
        LoggerEnrichmentConfiguration.Wrap(
            new LoggerConfiguration().Enrich,
            enricher =>
            {
                captured = enricher;
                return new PlaceholderEnricher();
            },
            configure);
        if (captured is null) return null;

        // Property values from enrichers are captured with the same rules a logger uses (destructuring policies,
        // depth and length limits), so they look as they would if the enricher ran on the logger.
        return new EventPreparation(captured, new LoggerPropertyFactory(new LoggerConfiguration().CreateLogger()));
    }

    public LogEvent Prepare(LogEvent logEvent)
    {
        var copy = new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            logEvent.Exception,
            logEvent.MessageTemplate,
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)),
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
        _enricher.Enrich(copy, _propertyFactory);
        return copy;
    }
}
