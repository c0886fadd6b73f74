using System.Buffers.Binary;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using static Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable.SpoolHelpers;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Durable;

/// <summary>
/// The string table of spool records (FORMAT.md, "The string table"): a thread's first record in a segment carries
/// the template and property names in full, later ones their ids; a reader that starts mid-segment still resolves
/// them; a record cut short before its thread's others costs only what refers to it; each thread's table is its own;
/// segments of the first format are still read.
/// </summary>
public class SpoolStringTableTests
{
    [Test]
    public void AThreadsLaterRecordsCarryIdsNotTheTemplateAndAReaderStartingAfterACheckpointMidSegmentResolvesThem()
    {
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            for (var i = 0; i < 100; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
            Assert.That(Take(queue, 60), Has.Count.EqualTo(60));
            queue.Acknowledge();
        }

        var segment = System.IO.File.ReadAllBytes(Path.Combine(folder.Path, SegmentFiles(folder.Path).Single()));
        var offsets = RecordOffsets(segment);
        var first = RecordPayload(segment, offsets[0]);
        var later = RecordPayload(segment, offsets[70]);
        var template = Encoding.UTF8.GetBytes(Some.Event().MessageTemplate.Text);
        Assert.That(first.AsSpan().IndexOf(template), Is.GreaterThan(0), "the first record carries the template's text");
        Assert.That(later.AsSpan().IndexOf(template), Is.EqualTo(-1), "a later record carries its id only");
        Assert.That(later, Has.Length.LessThan(first.Length - template.Length));

        var failures = new CollectingFailureListener();
        using var next = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        next.SetFailureListener(failures);
        var events = DrainWithin(next, Timeouts.Signal);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(60, 40)));
        Assert.That(events.Select(e => e.MessageTemplate.Text).Distinct(), Is.EqualTo(new[] { Some.Event().MessageTemplate.Text }));
        Assert.That(events.Select(e => string.Join(",", e.Properties.Keys)).Distinct(), Is.EqualTo(new[] { "Sequence,Producer" }));
        Assert.That(failures.Failures, Is.Empty);
    }

    [Test]
    public void ARecordCutShortInTheMiddleOfItsTablesFirstUseCostsOnlyItselfWhenItsThreadWroteNothingAfter()
    {
        // What a kill leaves when a thread dies writing its first record in the segment: that record's length is
        // missing. Another thread's records, after it and with the same strings, use a table of their own.
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            OnItsOwnThread(() => queue.Enqueue(Some.Event(0), CancellationToken.None));
            for (var i = 1; i < 50; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
        }

        var path = Path.Combine(folder.Path, SegmentFiles(folder.Path).Single());
        var bytes = System.IO.File.ReadAllBytes(path);
        var offsets = RecordOffsets(bytes);
        Array.Clear(bytes, offsets[0], 4);
        System.IO.File.WriteAllBytes(path, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(1, 49).Append(1000)));
        Assert.That(failures, Has.Exactly(1).Contains("an incomplete record").And.Contains($"offset {offsets[0]}"));
        Assert.That(failures, Has.Count.EqualTo(1));
    }

    [Test]
    public void DamageToTheRecordThatDefinedAThreadsStringsCostsTheRecordsReferringToThemEachReportedAndNoOthers()
    {
        using var folder = new TempFolder();
        using (var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit))
        {
            queue.Enqueue(Some.Event(0), CancellationToken.None);
            OnItsOwnThread(() =>
            {
                for (var i = 100; i < 110; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
            });
            for (var i = 1; i < 5; i++) queue.Enqueue(Some.Event(i), CancellationToken.None);
        }

        var path = Path.Combine(folder.Path, SegmentFiles(folder.Path).Single());
        var bytes = System.IO.File.ReadAllBytes(path);
        var offsets = RecordOffsets(bytes);
        bytes[offsets[0] + 30] ^= 0x10;
        System.IO.File.WriteAllBytes(path, bytes);

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(100, 10).Append(1000)));
        Assert.That(failures, Has.Exactly(1).Contains("damaged data").And.Contains($"offset {offsets[0]}"));
        Assert.That(failures, Has.Exactly(4).Contains($"the string table opened by the record at offset {offsets[0]}, which was not read"));
    }

    [Test]
    public void ProducersOnManyThreadsAcrossSegmentRolloversEachWithItsOwnTablesAllComeBackWhole()
    {
        const int Threads = 4;
        const int PerThread = 3000;
        var parser = new MessageTemplateParser();
        var shared = parser.Parse("Shared {Sequence} from {Producer}");
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);
        var producers = Enumerable.Range(0, Threads).Select(p => new Thread(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                // Thread 0 logs a new template each time: a definition in every record.
                var template = p == 0 ? parser.Parse($"Distinct {{Sequence}} number {i} from {{Producer}}") : shared;
                var logEvent = new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, template,
                [
                    new LogEventProperty("Sequence", new ScalarValue(i)),
                    new LogEventProperty("Producer", new ScalarValue(p)),
                    new LogEventProperty("Thing", new StructureValue([new LogEventProperty("Id", new ScalarValue(i))], "Thing" + (i % 3))),
                ]);
                queue.Enqueue(logEvent, CancellationToken.None);
            }
        })).ToList();
        foreach (var producer in producers) producer.Start();

        var events = new List<LogEvent>();
        var reading = System.Diagnostics.Stopwatch.StartNew();
        while (events.Count < Threads * PerThread && reading.Elapsed < Timeouts.Signal)
        {
            if (queue.WaitToDequeue(TimeSpan.FromMilliseconds(50))) events.AddRange(DrainNow(queue));
        }

        foreach (var producer in producers) producer.Join();
        events.AddRange(DrainNow(queue));

        Assert.That(events, Has.Count.EqualTo(Threads * PerThread));
        foreach (var byProducer in events.GroupBy(Some.ProducerOf))
        {
            var p = byProducer.Key;
            Assert.That(byProducer.Select(Some.SequenceOf), Is.EqualTo(Enumerable.Range(0, PerThread)), $"producer {p}");
            Assert.That(byProducer.Select(e => e.MessageTemplate.Text),
                Is.EqualTo(Enumerable.Range(0, PerThread).Select(i => p == 0 ? $"Distinct {{Sequence}} number {i} from {{Producer}}" : shared.Text)));
            Assert.That(byProducer.Select(e => ((StructureValue)e.Properties["Thing"]).TypeTag),
                Is.EqualTo(Enumerable.Range(0, PerThread).Select(i => "Thing" + (i % 3))));
        }
    }

    [Test]
    public void AnEventWithMorePropertyNamesThanATableHoldsComesBackWholeTheFirstTimeAndTheNext()
    {
        var names = Enumerable.Range(0, WriterStringTable.MaxStrings + 500).Select(i => "P" + i).ToList();
        var logEvent = new LogEvent(DateTimeOffset.Now, LogEventLevel.Information, null, new MessageTemplateParser().Parse("Many"),
            names.Select((name, i) => new LogEventProperty(name, new ScalarValue(i))));
        using var folder = new TempFolder();
        using var queue = new DurableLogEventQueue(folder.Path, DurableLogEventQueue.MinSizeLimit);

        Assert.That(queue.Enqueue(logEvent, CancellationToken.None), Is.True);
        Assert.That(queue.Enqueue(logEvent, CancellationToken.None), Is.True);
        var events = DrainNow(queue);

        Assert.That(events, Has.Count.EqualTo(2));
        foreach (var back in events)
        {
            Assert.That(back.Properties.Keys, Is.EquivalentTo(names));
            Assert.That(names.Select(name => ((ScalarValue)back.Properties[name]).Value), Is.EqualTo(Enumerable.Range(0, names.Count)));
        }
    }

    [Test]
    public void ASegmentOfTheFirstFormatIsStillRead()
    {
        using var folder = new TempFolder();
        System.IO.File.WriteAllBytes(Path.Combine(folder.Path, "0000000000000001.seg"), FirstFormatSegment(7, 8, 9));

        var (events, failures) = Reopen(folder.Path);

        Assert.That(events.Select(Some.SequenceOf), Is.EqualTo(new[] { 7, 8, 9, 1000 }));
        Assert.That(events.Take(3).Select(e => e.MessageTemplate.Text), Is.All.EqualTo("Event {Sequence} from {Producer}"));
        Assert.That(failures, Is.Empty);
    }

    /// <summary>A segment as format version 1 wrote it (FORMAT.md): header, then records of kind 1, every string in
    /// full, each event as <see cref="Some.Event(int, LogEventLevel, int)"/> makes it.</summary>
    static byte[] FirstFormatSegment(params int[] sequences)
    {
        const int Capacity = 64 * 1024;
        var segment = new byte[Capacity];
        "SLQSPOOL"u8.CopyTo(segment);
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(12), 64);
        BinaryPrimitives.WriteInt64LittleEndian(segment.AsSpan(16), 1);
        BinaryPrimitives.WriteInt64LittleEndian(segment.AsSpan(24), Capacity);
        BinaryPrimitives.WriteInt64LittleEndian(segment.AsSpan(32), DateTime.UtcNow.Ticks);
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(40), Crc32C.Compute(segment, 0, 40));

        var offset = 64;
        foreach (var sequence in sequences)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(DateTime.UtcNow.Ticks));
            payload.AddRange([0, 0, (byte)LogEventLevel.Information, 0]);
            AddString(payload, "Event {Sequence} from {Producer}");
            payload.Add(2);
            AddString(payload, "Sequence");
            payload.AddRange([4, (byte)(sequence * 2)]);
            AddString(payload, "Producer");
            payload.AddRange([4, 0]);

            var record = segment.AsSpan(offset);
            BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(12), 1);
            payload.ToArray().CopyTo(record.Slice(16));
            BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(8), Crc32C.Compute(segment, offset + 12, 4 + payload.Count));
            BinaryPrimitives.WriteUInt32LittleEndian(record.Slice(4), ((uint)payload.Count * 0x9E3779B1u) ^ 0x4C4F4F50u);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Count);
            offset += (16 + payload.Count + 7) & ~7;
        }

        return segment;

        static void AddString(List<byte> payload, string value)
        {
            payload.Add((byte)value.Length);
            payload.AddRange(Encoding.UTF8.GetBytes(value));
        }
    }

    static byte[] RecordPayload(byte[] segment, int offset) =>
        segment.AsSpan(offset + 16, (int)BitConverter.ToUInt32(segment, offset)).ToArray();

    static void OnItsOwnThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        Assert.That(thread.Join(Timeouts.Signal), Is.True);
    }

    /// <summary>Open a queue over the spool, enqueue one more event (1000), and drain it.</summary>
    static (List<LogEvent> Events, List<string> Failures) Reopen(string spool)
    {
        var failures = new CollectingFailureListener();
        using var queue = new DurableLogEventQueue(spool, DurableLogEventQueue.MinSizeLimit);
        queue.SetFailureListener(failures);
        queue.Enqueue(Some.Event(1000), CancellationToken.None);
        var events = DrainWithin(queue, Timeouts.Signal);
        return (events, failures.Failures.Select(f => f.Message).ToList());
    }
}
