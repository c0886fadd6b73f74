namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Sizes for the long-running reliability tests: a short size that CI runs, and a long size for local runs, chosen
/// with the environment variable <c>QUEUELISTENER_LONG_TESTS=1</c>.
/// </summary>
static class TestSizes
{
    public static bool Long { get; } = Environment.GetEnvironmentVariable("QUEUELISTENER_LONG_TESTS") == "1";

    public static int Pick(int shortSize, int longSize) => Long ? longSize : shortSize;

    public static int[] Pick(int[] shortSizes, int[] longSizes) => Long ? longSizes : shortSizes;
}
