using System.Globalization;
using System.Security;
using System.Text;
using Serilog.Sinks.QueueListener.Benchmarks.Paced;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// The caller's p99 against the rate for one end sink, as SVG: a line per configuration, solid for one producer and
/// dashed for two, in the configuration's colour. Both axes logarithmic: the rates span two decades, and the
/// configurations differ by orders of magnitude where the sink runs on the calling thread.
/// </summary>
/// <remarks>
/// Written by hand rather than with OxyPlot, as the throughput chart is: its SVG exporter measures text without the
/// viewer's fonts, which a legend of a dozen entries does not survive.
/// </remarks>
static class PacedLatencyChartWriter
{
    const double Width = 1040, Height = 560;
    const double Left = 70, Top = 70, Right = 700, Bottom = 490;

    /// <summary>Colours far enough apart to tell six lines by, each used for one configuration at both producer
    /// counts.</summary>
    static readonly string[] Palette = ["#000000", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728"];

    public static void Write(IReadOnlyList<PacedLatencyResult> results, EndSink endSink, MachineInfo machine,
        DateTimeOffset startedAt, Stream output)
    {
        // A point that is not positive (nothing measured) has no place on a logarithmic axis.
        var cells = results.Where(r => r.EndSink == endSink && r.CallerP99 > 0).ToList();
        var rates = cells.Select(r => r.Rate).Distinct().Order().ToList();
        var (xMin, xMax) = rates.Count == 0 ? (1.0, 10.0) : (Math.Log10(rates[0]) - 0.1, Math.Log10(rates[^1]) + 0.1);
        var (yMin, yMax) = cells.Count == 0
            ? (0.0, 1.0)
            : (Math.Floor(Math.Log10(cells.Min(r => r.CallerP99))), Math.Ceiling(Math.Log10(cells.Max(r => r.CallerP99))));
        if (yMax <= yMin) yMax = yMin + 1;
        double X(double rate) => Left + ((Math.Log10(rate) - xMin) / (xMax - xMin) * (Right - Left));
        double Y(double value) => Bottom - ((Math.Log10(value) - yMin) / (yMax - yMin) * (Bottom - Top));

        var svg = new StringBuilder();
        Append(svg, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Append(svg, $"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Append(svg, $"""<text x="{Width / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">Caller p99 at fixed rates, into {(endSink == EndSink.File ? "a File sink" : "a counting sink")}</text>""");
        Append(svg, $"""<text x="{Width / 2}" y="44" text-anchor="middle">logger.Information(template, id, name); {machine.ProcessorCount} logical processors; {startedAt:yyyy-MM-dd}</text>""");

        // Grid lines at 1, 2 and 5 of every decade, labelled; the rates measured on the other axis.
        for (var decade = yMin; decade < yMax; decade++)
        {
            foreach (var step in new[] { 1, 2, 5 })
            {
                var value = step * Math.Pow(10, decade);
                Append(svg, $"""<line x1="{Left}" y1="{Y(value):F1}" x2="{Right}" y2="{Y(value):F1}" stroke="#ccc" stroke-dasharray="{(step == 1 ? "none" : "2,3")}"/>""");
                Append(svg, $"""<text x="{Left - 6}" y="{Y(value) + 4:F1}" text-anchor="end">{value:G4}</text>""");
            }
        }

        Append(svg, $"""<text x="{Left - 6}" y="{Y(Math.Pow(10, yMax)) + 4:F1}" text-anchor="end">{Math.Pow(10, yMax):G4}</text>""");
        foreach (var rate in rates)
        {
            Append(svg, $"""<line x1="{X(rate):F1}" y1="{Top}" x2="{X(rate):F1}" y2="{Bottom}" stroke="#ccc" stroke-dasharray="2,3"/>""");
            Append(svg, $"""<text x="{X(rate):F1}" y="{Bottom + 18}" text-anchor="middle">{PacedLatencyResult.FormatRate(rate)}</text>""");
        }

        Append(svg, $"""<rect x="{Left}" y="{Top}" width="{Right - Left}" height="{Bottom - Top}" fill="none" stroke="black"/>""");
        Append(svg, $"""<text x="{(Left + Right) / 2}" y="{Bottom + 42}" text-anchor="middle">events per second, all producers (log scale)</text>""");
        Append(svg, $"""<text x="18" y="{(Top + Bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 {(Top + Bottom) / 2})">caller p99, µs (log scale)</text>""");

        var kinds = cells.Select(r => r.Kind).Distinct().ToList();
        var legendY = Top;
        foreach (var producers in cells.Select(r => r.Producers).Distinct().Order())
        {
            var dash = producers == 1 ? "none" : "6,4";
            foreach (var (kind, i) in kinds.Select((k, i) => (k, i)))
            {
                var colour = Palette[i % Palette.Length];
                var points = cells.Where(r => r.Kind == kind && r.Producers == producers).OrderBy(r => r.Rate).ToList();
                var path = string.Join(' ', points.Select(p => Invariant($"{X(p.Rate):F1},{Y(p.CallerP99):F1}")));
                Append(svg, $"""<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>""");
                foreach (var p in points)
                {
                    Append(svg, $"""<circle cx="{X(p.Rate):F1}" cy="{Y(p.CallerP99):F1}" r="3" fill="{colour}"/>""");
                }

                Append(svg, $"""<line x1="{Right + 20}" y1="{legendY}" x2="{Right + 50}" y2="{legendY}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>""");
                Append(svg, $"""<text x="{Right + 58}" y="{legendY + 4}">{SecurityElement.Escape(kind.DisplayName())}, {producers} producer{(producers == 1 ? "" : "s")}</text>""");
                legendY += 20;
            }

            legendY += 10;
        }

        svg.AppendLine("</svg>");
        using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        writer.Write(svg.ToString());
    }

    static void Append(StringBuilder svg, FormattableString element) => svg.AppendLine(Invariant(element));

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
