using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using Serilog.Sinks.QueueListener.Benchmarks.Pipelines;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Reporting;

/// <summary>
/// A bar chart of the median end-to-end events/s of every configuration, one bar per producer count, for one call
/// shape. Horizontal bars, so that the configuration names stay readable.
/// </summary>
static class SvgChartWriter
{
    public static void Write(CompareReport report, CallShape shape, Stream output)
    {
        var summaries = report.Throughput.Where(s => s.Shape == shape).ToList();
        var kinds = summaries.Select(s => s.Kind).Distinct().ToList();

        var model = new PlotModel
        {
            Title = $"End-to-end events/s, {(shape == CallShape.PrebuiltEvent ? "logger.Write(prebuilt event)" : "logger.Information(template, id, name)")}",
            Subtitle = $"median of {report.Options.Repetitions} repetitions; {report.Machine.ProcessorCount} logical processors; {report.StartedAt:yyyy-MM-dd}",

            // The SVG exporter measures text without the viewer's fonts, so leave fixed room for the names and title.
            PlotMargins = new OxyThickness(210, double.NaN, 30, double.NaN),
            Padding = new OxyThickness(10, 30, 10, 10),
        };
        model.Legends.Add(new Legend
        {
            LegendPlacement = LegendPlacement.Outside,
            LegendPosition = LegendPosition.BottomCenter,
            LegendOrientation = LegendOrientation.Horizontal,
            LegendItemSpacing = 40,
        });

        // Reversed, so that the configurations read top to bottom in the table's order.
        var categories = new CategoryAxis
        {
            Position = AxisPosition.Left,
            Key = "configurations",
            IsZoomEnabled = false,
            StartPosition = 1,
            EndPosition = 0,
        };
        categories.Labels.AddRange(kinds.Select(k => k.DisplayName()));
        model.Axes.Add(categories);
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Minimum = 0,
            Title = "million events per second",
            MajorGridlineStyle = LineStyle.Dot,
            MaximumPadding = 0.1,
        });

        foreach (var producers in summaries.Select(s => s.Producers).Distinct().Order())
        {
            var series = new BarSeries { Title = producers == 1 ? "1 producer" : $"{producers} producers", LabelFormatString = "{0:F2}" };
            foreach (var kind in kinds)
            {
                var summary = summaries.FirstOrDefault(s => s.Kind == kind && s.Producers == producers);
                series.Items.Add(new BarItem(summary is null ? 0 : summary.EventsPerSecond.Median / 1e6));
            }

            model.Series.Add(series);
        }

        new SvgExporter { Width = 900, Height = 520 }.Export(model, output);
    }
}
