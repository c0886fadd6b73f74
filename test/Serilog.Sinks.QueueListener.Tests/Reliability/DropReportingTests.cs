using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;
using Listener = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// A burst that overflows a dropping queue is reported in a few reports that carry the dropped events and their
/// count, not in one report per event: a line of SelfLog per dropped event would bury everything else there.
/// </summary>
public class DropReportingTests
{
    const int Events = 10_000;
    const int Capacity = 100;
    const int MostReports = 10;
    static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(10);

    /// <summary>The timestamp SelfLog puts before each line, whose digits are no count.</summary>
    static readonly Regex SelfLogTimestamp = new(@"^\d{4}-\d{2}-\d{2}T\S+\s");

    /// <summary>A whole number, with or without thousands separators.</summary>
    static readonly Regex Number = new(@"\d{1,3}(?:,\d{3})+|\d+");

    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void ABurstOfDropsReachesSelfLogInAFewLinesThatCarryTheCount(QueueFullMode fullMode)
    {
        var lines = new ConcurrentQueue<string>();
        SelfLog.Enable(lines.Enqueue);
        try
        {
            // Built after SelfLog is enabled, and left with the default failure listener, which writes to SelfLog.
            var queue = new LogEventQueue(Capacity, fullMode);
            var gated = new GatedSink();
            var listener = new Listener(queue, gated);
            var sink = new QueueSink(queue, listener);
            listener.Start();

            LogABurstWhileTheListenerIsHeld(sink, gated);

            var dropped = queue.DroppedCount;
            var written = gated.Events.Count;
            var text = lines.Select(line => SelfLogTimestamp.Replace(line, string.Empty)).ToList();
            Assert.Multiple(() =>
            {
                Assert.That(dropped, Is.EqualTo(Events - written), "dropped and written");
                Assert.That(dropped, Is.GreaterThan(0));
                Assert.That(text, Has.Count.LessThanOrEqualTo(MostReports), $"SelfLog lines; the first: {text.FirstOrDefault()}");
            });

            // The dropped count is in the text: in one line, or spread over the lines of several batches.
            Assert.That(CountsInTheLinesCanSumTo(text, dropped), Is.True, $"no count adding up to {dropped} in: {string.Join(" | ", text)}");
        }
        finally
        {
            SelfLog.Disable();
        }
    }

    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void EveryDroppedEventReachesTheFailureListenerInAFewReports(QueueFullMode fullMode)
    {
        var gated = new GatedSink();
        var (queue, listener, sink, failures) = OwnedPipeline.Over(new LogEventQueue(Capacity, fullMode), gated);
        listener.Start();

        LogABurstWhileTheListenerIsHeld(sink, gated);

        var reports = failures.Failures;
        var written = gated.Events.Select(Some.SequenceOf).ToList();
        var reported = reports.SelectMany(f => f.Events).Select(Some.SequenceOf).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(queue.DroppedCount, Is.GreaterThan(0));
            Assert.That(reports.Sum(f => f.Events.Count), Is.EqualTo(queue.DroppedCount), "events reported and DroppedCount");
            Assert.That(queue.DroppedCount, Is.EqualTo(Events - written.Count), "dropped and written");
            Assert.That(written.Concat(reported).Order(), Is.EqualTo(Enumerable.Range(0, Events)), "written and reported");
            Assert.That(reports.Select(f => f.Kind), Is.All.EqualTo(LoggingFailureKind.Permanent));
            Assert.That(reports.Count, Is.LessThanOrEqualTo(MostReports), "reports");
        });
    }

    /// <summary>
    /// Hold the listener on event 0, log the rest of the burst into the full queue, let the listener go and dispose
    /// the sink, which delivers the drop reports before it returns.
    /// </summary>
    static void LogABurstWhileTheListenerIsHeld(QueueSink sink, GatedSink gated)
    {
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        try
        {
            logger.Information("Event {Sequence} from {Producer}", 0, 0);
            Assert.That(gated.WaitUntilEntered(Timeouts.Signal), Is.True);
            for (var i = 1; i < Events; i++) logger.Information("Event {Sequence} from {Producer}", i, 0);
        }
        finally
        {
            gated.Open();
        }

        var disposing = Task.Run(sink.Dispose);
        Assert.That(disposing.Wait(DisposeBound), Is.True, "disposing the sink did not return");
    }

    /// <summary>
    /// Whether one number from each of some of the lines adds up to <paramref name="total"/>: a line may carry the
    /// count of its batch among other numbers, and a line may be about something else.
    /// </summary>
    static bool CountsInTheLinesCanSumTo(IEnumerable<string> lines, long total)
    {
        var sums = new HashSet<long> { 0 };
        foreach (var line in lines)
        {
            var numbers = Number.Matches(line)
                .Select(m => long.Parse(m.Value.Replace(",", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture))
                .Where(n => n > 0 && n <= total)
                .Distinct()
                .ToList();
            sums.UnionWith(sums.SelectMany(sum => numbers.Select(n => sum + n)).Where(sum => sum <= total).ToList());
        }

        return sums.Contains(total);
    }

    [TestCase(QueueFullMode.DropIncoming)]
    [TestCase(QueueFullMode.DropOldest)]
    public void AProducerThatMeetsASlotItsConsumerHasNotFreedDropsItsEventForWantOfASlotAndReportsIt(QueueFullMode fullMode)
    {
        var failures = new CollectingFailureListener();
        var queue = new LogEventQueue(2, fullMode);
        queue.SetFailureListener(failures);
        Assert.That(queue.Enqueue(Some.Event(0), CancellationToken.None), Is.True);
        Assert.That(queue.Enqueue(Some.Event(1), CancellationToken.None), Is.True);

        // A consumer claims event 0 and is held up before it frees the slot: the queue has room by count, but the
        // next position's slot is not free yet, and a drop-mode producer never waits.
        var claimed = queue.ClaimOldestWithoutRelease();
        Assert.That(queue.Enqueue(Some.Event(2), CancellationToken.None), Is.False);
        queue.ReportPendingDrops();

        Assert.That(queue.DroppedCount, Is.EqualTo(1));
        Assert.That(failures.Failures, Has.Count.EqualTo(1));
        Assert.That(failures.Failures[0].Kind, Is.EqualTo(LoggingFailureKind.Permanent));
        Assert.That(failures.Failures[0].Message, Does.StartWith("no slot could be had without waiting"));
        Assert.That(failures.Failures[0].Events.Select(Some.SequenceOf), Is.EqualTo(new[] { 2 }));

        // Once the consumer goes on, the slot is free again and nothing else was lost.
        Assert.That(Some.SequenceOf(queue.ReleaseClaimed(claimed)), Is.Zero);
        Assert.That(queue.Enqueue(Some.Event(3), CancellationToken.None), Is.True);
        var batch = new Serilog.Events.LogEvent[4];
        Assert.That(queue.TryDequeue(batch, out _), Is.EqualTo(2));
        Assert.That(batch.Take(2).Select(Some.SequenceOf), Is.EqualTo(new[] { 1, 3 }));
    }
}
