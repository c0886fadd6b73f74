using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Configuration;

/// <summary>
/// <c>protectedLevel</c>, <c>flushAtLevel</c> and <c>hold</c> configured from JSON through
/// Serilog.Settings.Configuration: <c>hold</c> is an object whose keys are <c>HoldOptions</c>' constructor
/// parameters.
/// </summary>
public class LevelAwareJsonTests
{
    [Test]
    public void HoldFlushAtLevelAndProtectedLevelBindFromJson()
    {
        using var folder = new TempFolder();
        var path = folder.AllocateFilename();
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(JsonSettings.Load("Queue.LevelAware.json", ("Serilog:WriteTo:0:Args:configure:0:Args:path", path)))
            .CreateLogger();
        try
        {
            logger.ForContext("RequestId", "a").Debug("detail of a");
            logger.ForContext("RequestId", "b").Debug("detail of b");
            logger.ForContext("RequestId", "a").Error("error of a");

            // The File sink buffers: the lines reach the file only because the error flushes it.
            Assert.That(SpinWait.SpinUntil(() => LogFile.ReadLines(path).Count == 2, Timeouts.Signal), Is.True);
        }
        finally
        {
            logger.Dispose();
        }

        // b's detail, still held at disposal, is let go: writeOnClose is false.
        Assert.That(LogFile.ReadLines(path), Is.EqualTo(new[]
        {
            "DBG detail of a Protected=Warning",
            "ERR error of a Protected=Warning",
        }));
    }
}
