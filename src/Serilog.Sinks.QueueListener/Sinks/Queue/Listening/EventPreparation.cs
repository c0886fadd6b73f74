using System.Reflection;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The <c>prepare</c> enrichers of <c>WriteTo.Queue</c>, run by <see cref="QueueListener.Prepare"/> on the listener
/// thread. They enrich a private copy: the original event may still be in the hands of sinks outside the queue, on
/// other threads, and must not change under them.
/// </summary>
/// <remarks>
/// The enrichers run one after another, and the first that throws ends the preparation: the exception reaches
/// <see cref="QueueListener"/>, which reports it with the event and hands the sinks the event unprepared, the same
/// with one enricher as with several. Serilog hands several enrichers over as its own aggregate, which would catch
/// each failure, tell only SelfLog, and run the rest, so the sinks would receive a partly prepared event and the
/// failure listener (a fallback chain) would never hear of it; the aggregate is therefore opened up, through its
/// field, since Serilog offers no way to list what it holds. Should a later Serilog hold them some other way, the
/// aggregate runs as one enricher, with Serilog's rule.
/// </remarks>
sealed class EventPreparation
{
    static readonly Assembly SerilogAssembly = typeof(ILogEventEnricher).Assembly;

    readonly ILogEventEnricher[] _enrichers;
    readonly ILogEventPropertyFactory _propertyFactory;

    EventPreparation(ILogEventEnricher[] enrichers, ILogEventPropertyFactory propertyFactory)
    {
        _enrichers = enrichers;
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
        return new EventPreparation(Unaggregated(captured),
            new LoggerPropertyFactory(new LoggerConfiguration().CreateLogger()));
    }

    /// <summary>The enrichers inside Serilog's aggregate, or <paramref name="enricher"/> alone.</summary>
    static ILogEventEnricher[] Unaggregated(ILogEventEnricher enricher)
    {
        var type = enricher.GetType();
        if (type.Assembly != SerilogAssembly || type.Name != "SafeAggregateEnricher") return [enricher];

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            if (field.GetValue(enricher) is IEnumerable<ILogEventEnricher> enrichers) return [.. enrichers];
        }

        return [enricher];
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
        foreach (var enricher in _enrichers)
        {
            enricher.Enrich(copy, _propertyFactory);
        }

        return copy;
    }
}
