using System.Globalization;
using Serilog.Sinks.QueueListener.Testing;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Starts the child app of test/Serilog.Sinks.QueueListener.Redis.CollectorApp: a collector writing one
/// <see cref="EventLine"/> per event to a file; see <see cref="ChildApp"/>.
/// </summary>
static class CollectorApp
{
    /// <param name="signalAfter">After how many events it prints "written n"; 0 for never.</param>
    /// <param name="hang">Whether it then stops in its sink, mid-batch, to be killed; otherwise it goes on, and stops
    /// when its input is closed (<see cref="RunningApp.CloseInput"/>).</param>
    public static RunningApp Start(string configuration, string streamKey, string group, string consumer, string output,
        TimeSpan claimIdleTime, int signalAfter, bool hang) =>
        new(consumer, ChildApp.Start(typeof(CollectorApp).Assembly, "CollectorAppDirectory",
            "Serilog.Sinks.QueueListener.Redis.CollectorApp.dll",
            [
                configuration, streamKey, group, consumer, output,
                ((int)claimIdleTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                signalAfter.ToString(CultureInfo.InvariantCulture),
                hang ? "hang" : "run",
            ],
            redirectStandardInput: true));
}
