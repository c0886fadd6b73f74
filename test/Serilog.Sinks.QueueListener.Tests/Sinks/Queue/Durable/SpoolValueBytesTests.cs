using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// The values each target writes its own way (a <see cref="Guid"/>, a <see cref="decimal"/>) are on disk as FORMAT.md
/// says, so that a spool written by one build of the package (netstandard2.0 on .NET Framework, net8.0 and later) is
/// read by another; the netstandard2.0 build runs this test too (the NetStandard test project).
/// </summary>
public class SpoolValueBytesTests
{
    [Test]
    public void AGuidAndADecimalAreWrittenAsFormatSays()
    {
        var guid = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        const decimal Amount = -1234567.891m;
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path))
        {
            queue.Enqueue(new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, Some.Event().MessageTemplate,
            [
                new LogEventProperty("Id", new ScalarValue(guid)),
                new LogEventProperty("Amount", new ScalarValue(Amount)),
            ]), CancellationToken.None);

            var back = DrainNow(queue).Single();
            Assert.That(back.Properties["Id"], Is.EqualTo(new ScalarValue(guid)));
            Assert.That(back.Properties["Amount"], Is.EqualTo(new ScalarValue(Amount)));
        }

        var spool = Directory.GetFiles(folder.Path, "*.seg").SelectMany(System.IO.File.ReadAllBytes).ToArray();
        // FORMAT.md: Guid.ToByteArray() (the first three fields little-endian); decimal.GetBits, each part
        // little-endian (1234567891 is 0x499602D3; the scale 3 and the sign in the last).
        byte[] guidBytes = [(byte)ValueTag.Guid, 0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
        byte[] decimalBytes = [(byte)ValueTag.Decimal, 0xd3, 0x02, 0x96, 0x49, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x03, 0x80];
        Assert.That(IndexOf(spool, guidBytes), Is.GreaterThanOrEqualTo(0), "the Guid's tag and bytes");
        Assert.That(IndexOf(spool, decimalBytes), Is.GreaterThanOrEqualTo(0), "the decimal's tag and bytes");
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        }

        return -1;
    }
}
