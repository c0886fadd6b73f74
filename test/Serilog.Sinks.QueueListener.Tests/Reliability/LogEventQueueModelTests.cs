using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Reliability;

/// <summary>
/// Random sequences of enqueues, batch dequeues and markers, run against <see cref="LogEventQueue"/> and against
/// the list-based <see cref="ReferenceQueue"/> side by side: after every step both must agree on what came out, in
/// what order, on <c>Count</c> and <c>DroppedCount</c>, and on which events were reported dropped. Each sequence is
/// drawn from a seeded <see cref="Random"/>; a failure names the seed and the step, so it can be replayed.
/// </summary>
public class LogEventQueueModelTests
{
    static readonly int SequencesPerCase = TestSizes.Pick(1000, 20000);

    static IEnumerable<TestCaseData> Cases()
    {
        foreach (var fullMode in Enum.GetValues<QueueFullMode>())
        {
            foreach (var capacity in new[] { 1, 2, 3, 8 })
            {
                yield return new TestCaseData(fullMode, capacity);
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void TheQueueBehavesLikeTheReferenceModel(QueueFullMode fullMode, int capacity)
    {
        for (var seed = 0; seed < SequencesPerCase; seed++)
        {
            Assert.That(FirstDivergence(fullMode, capacity, seed), Is.Null);
        }
    }

    /// <summary>
    /// Run one random sequence on both queues.
    /// </summary>
    /// <returns>A description of the first step where the queue and the model disagree, naming the seed; or
    /// <see langword="null"/> when they agree throughout.</returns>
    static string? FirstDivergence(QueueFullMode fullMode, int capacity, int seed)
    {
        var random = new Random(seed);
        var queue = new LogEventQueue(capacity, fullMode);
        var failures = new CollectingFailureListener();
        queue.SetFailureListener(failures);
        var model = new ReferenceQueue(capacity, fullMode);
        var cancelled = new CancellationToken(canceled: true);

        // Each sequence leans its own way: some mostly fill the queue, some mostly drain it.
        var enqueueWeight = random.Next(1, 10);
        var steps = random.Next(1, 120);
        var nextSequence = 0;
        string Where(int step, string what) => $"{fullMode}, capacity {capacity}, seed {seed}, step {step}: {what}";

        for (var step = 0; step < steps; step++)
        {
            var choice = random.Next(enqueueWeight + 6);
            if (choice < enqueueWeight)
            {
                var logEvent = Some.Event(nextSequence++);
                var expected = model.Enqueue(logEvent);
                if (expected is null)
                {
                    // Block mode, full: the producer would wait, so ask with a cancelled token instead.
                    try
                    {
                        queue.Enqueue(logEvent, cancelled);
                        return Where(step, "Block mode accepted an event into a full queue");
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                else
                {
                    var accepted = queue.Enqueue(logEvent, CancellationToken.None);
                    if (accepted != expected) return Where(step, $"Enqueue returned {accepted}, expected {expected}");
                }
            }
            else if (choice < enqueueWeight + 5)
            {
                var batchSize = random.Next(1, 5);
                var expected = model.TryDequeue(batchSize, out var expectedMarker);
                var batch = new LogEvent[batchSize];
                var count = queue.TryDequeue(batch, out var marker);
                var actual = batch.Take(count).ToList();
                if (!actual.SequenceEqual(expected))
                {
                    return Where(step, $"dequeued [{Describe(actual)}], expected [{Describe(expected)}]");
                }

                if (!ReferenceEquals(marker, expectedMarker))
                {
                    return Where(step, $"dequeued marker {marker?.GetHashCode()}, expected {expectedMarker?.GetHashCode()}");
                }
            }
            else
            {
                var marker = new QueueMarker(QueueMarkerKind.Plain);
                queue.EnqueueMarker(marker);
                model.EnqueueMarker(marker);
            }

            if (queue.Count != model.Count) return Where(step, $"Count {queue.Count}, expected {model.Count}");
            if (queue.DroppedCount != model.DroppedCount)
            {
                return Where(step, $"DroppedCount {queue.DroppedCount}, expected {model.DroppedCount}");
            }
        }

        // Whatever is left must come out the same way too.
        while (true)
        {
            var expected = model.TryDequeue(4, out var expectedMarker);
            var batch = new LogEvent[4];
            var count = queue.TryDequeue(batch, out var marker);
            if (!batch.Take(count).SequenceEqual(expected) || !ReferenceEquals(marker, expectedMarker))
            {
                return Where(steps, $"final drain gave [{Describe(batch.Take(count))}], expected [{Describe(expected)}]");
            }

            if (count == 0 && marker is null) break;
        }

        // Drops are reported in batches, a moment later; take the report now.
        queue.ReportPendingDrops();
        if (!failures.FailedEvents.SequenceEqual(model.Dropped))
        {
            return Where(steps, $"reported dropped [{Describe(failures.FailedEvents)}], expected [{Describe(model.Dropped)}]");
        }

        if (failures.Failures.Any(f => f.Kind != LoggingFailureKind.Permanent || f.Events.Count == 0))
        {
            return Where(steps, "each report of dropped events must carry them, as Permanent");
        }

        return null;
    }

    static string Describe(IEnumerable<LogEvent> events) => string.Join(", ", events.Select(Some.SequenceOf));
}
