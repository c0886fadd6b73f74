using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Clef;

public class ReusedCharBufferTests
{
    static string Text(ReusedCharBuffer buffer)
    {
        var written = buffer.Since(0);
        return new string(written.Array!, written.Offset, written.Count);
    }

    [Test]
    public void EveryWriteOverloadAppendsInOrderAndGrowsAsNeeded()
    {
        using var buffer = new ReusedCharBuffer();
        var longText = new string('y', 5000);

        buffer.Write('a');
        buffer.Write("bc");
        buffer.Write(['x', 'd', 'e', 'x'], 1, 2);
        buffer.Write("f".AsSpan());
        buffer.Write(longText);
        buffer.WriteLine();
        buffer.Write((string?)null);

        Assert.That(Text(buffer), Is.EqualTo("abcdef" + longText + "\n"));
    }

    [Test]
    public void ANullArrayIsRefusedNamingIt()
    {
        using var buffer = new ReusedCharBuffer();

        Assert.That(() => buffer.Write(null!, 0, 0), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("buffer"));
    }

    [Test]
    public void CutBackForgetsWhatWasWrittenAfterThePoint()
    {
        using var buffer = new ReusedCharBuffer();
        buffer.Write("kept");
        buffer.Write("dropped");

        buffer.CutBack(4);
        buffer.Write('!');

        Assert.That(Text(buffer), Is.EqualTo("kept!"));
    }

    [Test]
    public void AnArrayGrownForAnOversizedPayloadIsLetGoAtClearAndAnOrdinaryOneKept()
    {
        using var buffer = new ReusedCharBuffer();
        buffer.Write(new string('z', 100_000));
        var ordinary = buffer.Capacity;
        buffer.Clear();
        Assert.That(buffer.Capacity, Is.EqualTo(ordinary), "an entry's worth is kept for the next payload");

        buffer.Write(new string('z', 1_000_000));
        buffer.Clear();

        Assert.Multiple(() =>
        {
            Assert.That(buffer.Length, Is.Zero);
            Assert.That(buffer.Capacity, Is.LessThan(ordinary));
        });
    }
}
