using System.Collections.Concurrent;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The message templates of the events <see cref="ClefReader"/> reads, parsed once per text: the template half of
/// the reader.
/// </summary>
/// <remarks>Safe to use from any number of threads: the state is two <see cref="Utf8Cache{T}"/>s (from a field's
/// bytes to its template, one for <c>@mt</c> and one for <c>@m</c>, since the same bytes stand for another template
/// in each) and, behind them, a concurrent dictionary of parsed templates by text, cleared when it grows past
/// <see cref="TemplateCacheLimit"/> (a stream that carries rendered messages as templates would otherwise grow it
/// without end).</remarks>
static class ClefTemplates
{
    const int TemplateCacheLimit = 1000;

    static readonly MessageTemplateParser Parser = new();
    static readonly ConcurrentDictionary<string, MessageTemplate> Templates = new();
    static readonly Utf8Cache<MessageTemplate> TemplatesByText = new(1024), RenderedByText = new(64);

    /// <summary>The template of <c>@mt</c>, on whose value the reader is.</summary>
    public static MessageTemplate ReadTemplate(ref Utf8JsonReader reader) => Read(ref reader, TemplatesByText, escape: false);

    /// <summary>The template made of the rendered message <c>@m</c>, on whose value the reader is: text alone, its
    /// braces escaped.</summary>
    public static MessageTemplate ReadRendered(ref Utf8JsonReader reader) => Read(ref reader, RenderedByText, escape: true);

    /// <summary>The template of <paramref name="text"/>, parsed once.</summary>
    public static MessageTemplate Parse(string text)
    {
        if (Templates.TryGetValue(text, out var parsed)) return parsed;

        parsed = Parser.Parse(text);
        if (Templates.Count >= TemplateCacheLimit) Templates.Clear();
        Templates[text] = parsed;
        return parsed;
    }

    /// <summary>
    /// The template of the string the reader is on, found by its bytes when they were seen before, so that neither
    /// the template's text nor its lookup by text is made again.
    /// </summary>
    static MessageTemplate Read(ref Utf8JsonReader reader, Utf8Cache<MessageTemplate> cache, bool escape)
    {
        var raw = reader.ValueSpan;
        if (cache.TryGet(raw, out var template)) return template;

        var text = reader.GetString()!;
        template = Parse(escape ? text.Replace("{", "{{").Replace("}", "}}") : text);
        cache.Add(raw, template);
        return template;
    }
}
