using System.Globalization;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.Redis.CollectorApp: a collector writing one
/// <see cref="EventLine"/> per event to a file; see <see cref="ChildApp"/>.
/// </summary>
static class CollectorApp
{
    /// <param name="hangAfter">How many events to write before stopping in the sink, to be killed; 0 for never
    /// (the collector then stops when its input is closed).</param>
    public static RunningApp Start(string configuration, string streamKey, string group, string consumer, string output,
        TimeSpan claimIdleTime, int hangAfter) =>
        new(consumer, ChildApp.Start(typeof(CollectorApp).Assembly, "CollectorAppDirectory",
            "Serilog.Sinks.QueueListener.Redis.CollectorApp.dll",
            [
                configuration, streamKey, group, consumer, output,
                ((int)claimIdleTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                hangAfter.ToString(CultureInfo.InvariantCulture),
            ],
            redirectStandardInput: true));
}
