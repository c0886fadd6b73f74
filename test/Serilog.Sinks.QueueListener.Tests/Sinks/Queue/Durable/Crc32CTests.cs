using System.Text;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// The spool's checksum against published CRC-32C values (RFC 3720, appendix B.4, and the common check value), by the
/// processor's instruction where it has one and by the table a processor without it uses, which must agree on every
/// length (the instruction takes 8 bytes at a time, then the rest one by one).
/// </summary>
public class Crc32CTests
{
    static IEnumerable<TestCaseData> KnownValues()
    {
        yield return new TestCaseData(Encoding.ASCII.GetBytes("123456789"), 0xE3069283u).SetName("TheCheckValueOf123456789");
        yield return new TestCaseData(new byte[32], 0x8A9136AAu).SetName("ThirtyTwoZeroBytes");
        yield return new TestCaseData(Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43u).SetName("ThirtyTwoOnesBytes");
        yield return new TestCaseData(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794Eu).SetName("ThirtyTwoIncreasingBytes");
        yield return new TestCaseData(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5Cu).SetName("ThirtyTwoDecreasingBytes");
    }

    [TestCaseSource(nameof(KnownValues))]
    public void BothPathsGiveThePublishedValue(byte[] data, uint expected)
    {
        Assert.That(Crc32C.Compute(data, 0, data.Length), Is.EqualTo(expected));
        Assert.That(Crc32C.ComputeByTable(data, 0, data.Length), Is.EqualTo(expected));
    }

    [Test]
    public void BothPathsAgreeOnEveryLengthAndAlignment()
    {
        var data = new byte[300];
        new Random(3720).NextBytes(data);
        for (var offset = 0; offset < 8; offset++)
        {
            for (var length = 0; length <= data.Length - offset; length++)
            {
                Assert.That(Crc32C.Compute(data, offset, length), Is.EqualTo(Crc32C.ComputeByTable(data, offset, length)),
                    $"offset {offset}, length {length}");
            }
        }
    }
}
