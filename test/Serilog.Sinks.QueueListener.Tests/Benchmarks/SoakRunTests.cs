using Serilog.Sinks.QueueListener.Benchmarks.Soak;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Benchmarks;

/// <summary>
/// Runs the soak mode of the benchmark app for a moment: the long run is for local use, this checks that the
/// checking works. It asserts what the run found, never how fast it went.
/// </summary>
public class SoakRunTests
{
    [Test]
    public void AShortSoakFindsEveryEventInTheFileAndAFlatHeap()
    {
        using var folder = new TempFolder();

        var result = SoakRun.Run(TimeSpan.FromSeconds(1), producers: 2, folder.Path);

        Assert.That(result.Emitted, Is.GreaterThan(0));
        Assert.That(result.FoundInFile, Is.EqualTo(result.Emitted));
        Assert.That(result.OutOfOrder, Is.Zero);
        Assert.That(result.HeapStayedFlat, Is.True, result.ToString());
        Assert.That(result.Passed, Is.True);
    }
}
