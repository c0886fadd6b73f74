using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Docs;

/// <summary>
/// The README is read by a first user in about ten minutes: depth belongs in docs/, linked from it.
/// </summary>
public class ReadmeLengthTests
{
    const int MaximumWords = 2_000;

    [TestCase("README.md")]
    [TestCase("src/Serilog.Sinks.QueueListener.Redis/README.md")]
    public void TheReadmeStaysWithinItsWordBudget(string document)
    {
        // Counted as `wc -w` counts them, code blocks included: a reader scrolls past those too.
        var words = System.IO.File.ReadAllText(Repository.File(document))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

        Assert.That(words, Is.LessThanOrEqualTo(MaximumWords), $"{document} has {words} words; move depth to docs/");
    }
}
