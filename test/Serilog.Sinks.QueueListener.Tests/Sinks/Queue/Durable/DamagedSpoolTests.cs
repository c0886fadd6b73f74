using System.Buffers.Binary;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// Spools damaged between two queues: each damage is reported with its position and skipped, the records before
/// and after it are delivered, and the queue goes on (an event enqueued after the damage is delivered too).
/// </summary>
public class DamagedSpoolTests
{
    const int Written = 100;
    const int After = 1000;

    [Test]
    public void ATruncatedTailIsReportedAndTheRecordsBeforeItAreDelivered()
    {
        using var folder = new TempFolder();
        var segment = WriteSpool(folder.Path);
        var offsets = RecordOffsets(System.IO.File.ReadAllBytes(segment));
        using (var stream = new FileStream(segment, FileMode.Open)) stream.SetLength(offsets[50] + 20);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 50).Append(After)));
        Assert.That(failures, Has.Some.Contains("is not the length it was made with"));
        Assert.That(failures, Has.Some.Contains($"damaged data").And.Contains($"at segment 1, offset {offsets[50]}"));
    }

    [TestCase(0, TestName = "AFlippedBitInALengthCostsOnlyItsRecord")]
    [TestCase(8, TestName = "AFlippedBitInAChecksumCostsOnlyItsRecord")]
    [TestCase(30, TestName = "AFlippedBitInAPayloadCostsOnlyItsRecord")]
    public void AFlippedBitCostsOnlyItsRecord(int byteInRecord)
    {
        using var folder = new TempFolder();
        var segment = WriteSpool(folder.Path);
        var bytes = System.IO.File.ReadAllBytes(segment);
        var offsets = RecordOffsets(bytes);
        bytes[offsets[40] + byteInRecord] ^= 0x10;
        System.IO.File.WriteAllBytes(segment, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Where(i => i != 40).Append(After)));
        Assert.That(failures, Has.Exactly(1).Contains("damaged data").And.Contains($"at segment 1, offset {offsets[40]} ({offsets[41] - offsets[40]} bytes)"));
    }

    [Test]
    public void AZeroFilledPageCostsOnlyTheRecordsItCovers()
    {
        using var folder = new TempFolder();
        var segment = WriteSpool(folder.Path, count: 400);
        var bytes = System.IO.File.ReadAllBytes(segment);
        var offsets = RecordOffsets(bytes);
        Array.Clear(bytes, 4096, 4096);
        System.IO.File.WriteAllBytes(segment, bytes);
        var ends = offsets.Skip(1).Append(offsets[^1] + 64).ToList();
        var untouched = Enumerable.Range(0, 400).Where(i => ends[i] <= 4096 || offsets[i] >= 8192);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(untouched.Append(After)));
        Assert.That(failures, Has.Exactly(1).Contains("damaged data").And.Contains("at segment 1, offset"));
    }

    [Test]
    public void ARecordWhoseLengthWasNeverWrittenIsReportedAsIncomplete()
    {
        // What a producer killed between reserving its region and committing it leaves: all but the length.
        using var folder = new TempFolder();
        var segment = WriteSpool(folder.Path);
        var bytes = System.IO.File.ReadAllBytes(segment);
        var offsets = RecordOffsets(bytes);
        Array.Clear(bytes, offsets[30], 4);
        System.IO.File.WriteAllBytes(segment, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Where(i => i != 30).Append(After)));
        Assert.That(failures, Has.Exactly(1).Contains("an incomplete record").And.Contains($"at segment 1, offset {offsets[30]}"));
    }

    [Test]
    public void AForeignFileWithASegmentNameIsReportedAndLeftInPlace()
    {
        using var folder = new TempFolder();
        WriteSpool(folder.Path);
        var foreign = Path.Combine(folder.Path, "0000000000000002.seg");
        var text = string.Concat(Enumerable.Repeat("not a segment, a file of someone else's\n", 10));
        System.IO.File.WriteAllText(foreign, text);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Append(After)));
        Assert.That(failures, Has.Exactly(1).Contains(foreign).And.Contains("is not a spool segment"));
        Assert.That(System.IO.File.ReadAllText(foreign), Is.EqualTo(text));
        Assert.That(SegmentFiles(folder.Path), Does.Contain("0000000000000003.seg"), "new segments are numbered after it");
    }

    [Test]
    public void ASegmentFileAKillLeftWithoutItsHeaderIsDeletedWithoutAReport()
    {
        // A process killed between creating a segment file (zero-filled) and writing its header: nothing can be in it.
        using var folder = new TempFolder();
        WriteSpool(folder.Path);
        var unfinished = Path.Combine(folder.Path, "0000000000000002.seg");
        System.IO.File.WriteAllBytes(unfinished, new byte[256 * 1024]);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Append(After)));
        Assert.That(failures, Is.Empty);
        Assert.That(System.IO.File.Exists(unfinished), Is.False);
    }

    [Test]
    public void ASegmentOfANewerFormatIsReportedAndLeftForThatVersion()
    {
        using var folder = new TempFolder();
        var segment = WriteSpool(folder.Path);
        var bytes = System.IO.File.ReadAllBytes(segment);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), SegmentHeader.FormatVersion + 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), Crc32C.Compute(bytes, 0, 40));
        System.IO.File.WriteAllBytes(segment, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(new[] { After }));
        Assert.That(failures, Has.Exactly(1).Contains($"written by a newer version of the spool format ({SegmentHeader.FormatVersion + 1}"));
        Assert.That(System.IO.File.ReadAllBytes(segment), Is.EqualTo(bytes));
    }

    [Test]
    public void ATornCheckpointSlotFallsBackToTheOlderSlotSoThatEventsAreWrittenAgainNotSkipped()
    {
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            for (var i = 0; i < Written; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
            Assert.That(Take(queue, 50), Has.Count.EqualTo(50));
            queue.Acknowledge();
        }

        // Tear the newer slot (the acknowledgement's): the older one says the 50 were handed out, not acknowledged.
        var checkpoint = Path.Combine(folder.Path, "checkpoint");
        var bytes = System.IO.File.ReadAllBytes(checkpoint);
        var newer = BitConverter.ToInt64(bytes, 8) > BitConverter.ToInt64(bytes, 64 + 8) ? 0 : 64;
        bytes[newer + 20] ^= 0xFF;
        System.IO.File.WriteAllBytes(checkpoint, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Append(After)));
        Assert.That(events.Where(IsRedelivered).Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void ACheckpointWithNeitherSlotValidIsReportedAndTheWholeSpoolWrittenAgain()
    {
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            for (var i = 0; i < Written; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
            DrainNow(queue);
        }

        System.IO.File.WriteAllBytes(Path.Combine(folder.Path, "checkpoint"), Enumerable.Repeat((byte)0x5A, 128).ToArray());

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, Written).Append(After)));
        Assert.That(failures, Has.Exactly(1).Contains("the checkpoint is damaged"));
    }

    /// <summary>Write <paramref name="count"/> events into a new spool and leave them there.</summary>
    /// <returns>The segment file's path.</returns>
    static string WriteSpool(string spool, int count = Written)
    {
        using (var queue = new DurableLogEventQueue(spool, DurableLogEventQueue.MinSizeLimit))
        {
            for (var i = 0; i < count; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
        }

        return Path.Combine(spool, SegmentFiles(spool).Single());
    }

    /// <summary>Open a queue over the damaged spool, enqueue one more event (<see cref="After"/>), and drain it.</summary>
    static (List<LogEvent> Events, List<string> Failures) Reopen(string spool)
    {
        var failures = new CollectingFailureListener();
        using var queue = new DurableLogEventQueue(spool, DurableLogEventQueue.MinSizeLimit);
        queue.SetFailureListener(failures);
        queue.Enqueue(Some.Event(After), CancellationToken.None);
        var events = DrainWithin(queue, Timeouts.Signal);
        return (events, failures.Failures.Select(f => f.Message).ToList());
    }
}
