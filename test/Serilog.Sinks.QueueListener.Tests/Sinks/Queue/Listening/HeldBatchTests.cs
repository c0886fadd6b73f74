using System.Diagnostics;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.QueueListener.Tests.Support;

namespace Serilog.Sinks.QueueListener.Tests.Sinks.Queue.Listening;

/// <summary>
/// The race between a listener claiming the events of its batches and a shutdown abandoning it, hammered: whenever
/// the abandon lands (before a batch, as one begins, between two claims, in the middle of one), every event the
/// listener took is handled by it, taken by the abandoner, or reported by the listener as a batch it could not begin,
/// exactly one of the three.
/// </summary>
public class HeldBatchTests
{
    const int BatchSize = 64;
    const int BatchesPerRound = 64;

    static readonly TimeSpan Budget = TimeSpan.FromSeconds(TestSizes.Pick(10, 120));

    [Test]
    public void EveryEventIsHandledOrTakenExactlyOnceWhereverTheAbandonLands()
    {
        var rounds = TestSizes.Pick(3_000, 100_000);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var pool = Enumerable.Range(0, BatchSize * BatchesPerRound).Select(i => Some.Event(i)).ToArray();
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();

        var round = 0;
        for (; round < rounds && clock.Elapsed < Budget; round++)
        {
            var sizes = Enumerable.Range(0, BatchesPerRound).Select(_ => random.Next(1, BatchSize + 1)).ToArray();
            var run = RunOnce(pool, sizes, abandonAfter: random.Next(0, sizes.Sum() / 2));

            // The pool's events are distinct objects: equal counts and one set mean each one exactly once.
            var accounted = run.Handled.Concat(run.Taken).Concat(run.ReportedByListener).ToList();
            var exactlyOnce = accounted.Count == run.Filled.Count
                && new HashSet<LogEvent>(accounted, ReferenceEqualityComparer.Instance).SetEquals(run.Filled);
            if (!exactlyOnce)
            {
                Assert.Fail($"round {round} (seed {seed}): handled {Sequences(run.Handled)}, taken {Sequences(run.Taken)}, "
                    + $"reported by the listener {Sequences(run.ReportedByListener)}, filled {Sequences(run.Filled)}");
            }

            if (run.InFlight is not null && !ReferenceEquals(run.InFlight, run.Handled.LastOrDefault()))
            {
                Assert.Fail($"round {round} (seed {seed}): the event in flight, {Some.SequenceOf(run.InFlight)}, is not the last one the listener claimed");
            }

            var outcome = run switch
            {
                { Taken.Count: 0, ReportedByListener.Count: 0 } => "the listener finished first",
                { Handled.Count: 0 } => "abandoned before the first claim",
                { ReportedByListener.Count: > 0 } => "abandoned between batches, reported by the listener",
                _ => "abandoned between claims",
            };
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Out.WriteLine($"{round} rounds in {clock.Elapsed} (seed {seed}): "
            + string.Join(", ", outcomes.Select(o => $"{o.Value} {o.Key}")));
        Assert.That(round, Is.GreaterThanOrEqualTo(Math.Min(rounds, 100)), "too few rounds within the time budget");
        Assert.That(outcomes.GetValueOrDefault("abandoned between claims"), Is.GreaterThan(0),
            "no abandon landed while the listener was claiming");
    }

    static string Sequences(IEnumerable<LogEvent> events) => "[" + string.Join(",", events.Select(Some.SequenceOf)) + "]";

    /// <summary>A listener thread takes batches of <paramref name="sizes"/> off a pretend queue and claims their events
    /// as <c>ListenerLoop</c> does, while this thread abandons it once it has claimed
    /// <paramref name="abandonAfter"/> events, so that the abandon lands while it is still claiming, wherever in a
    /// batch that falls.</summary>
    static RoundResult RunOnce(LogEvent[] pool, int[] sizes, int abandonAfter)
    {
        var held = new HeldBatch(BatchSize);
        var result = new RoundResult();
        var claimed = 0;
        var listener = new Thread(() =>
        {
            var next = 0;
            foreach (var count in sizes)
            {
                if (held.IsAbandoned) return;

                for (var i = 0; i < count; i++) held.Events[i] = pool[next++];
                result.Filled.AddRange(held.Events.Take(count));
                if (!held.TryBegin(count, out var takenByAbandoner))
                {
                    if (!takenByAbandoner) result.ReportedByListener.AddRange(held.Events.Take(count));
                    return;
                }

                for (var i = 0; i < count; i++)
                {
                    if (!held.TryClaim(i, count, out var logEvent)) return;
                    result.Handled.Add(logEvent!);
                    held.Handled();
                    Volatile.Write(ref claimed, claimed + 1);
                }
            }
        })
        { IsBackground = true };

        listener.Start();
        while (Volatile.Read(ref claimed) < abandonAfter && listener.IsAlive) Thread.SpinWait(1);

        result.Taken.AddRange(held.Abandon(out var inFlight));
        result.InFlight = inFlight;
        Assert.That(listener.Join(Timeouts.Signal), Is.True, "the listener thread did not end");
        return result;
    }

    sealed class RoundResult
    {
        public List<LogEvent> Filled { get; } = [];
        public List<LogEvent> Handled { get; } = [];
        public List<LogEvent> Taken { get; } = [];
        public List<LogEvent> ReportedByListener { get; } = [];
        public LogEvent? InFlight { get; set; }
    }
}
