using System.Diagnostics;
using Serilog.Core;
using Serilog.Sinks.QueueListener.Benchmarks.Throughput;

namespace Serilog.Sinks.QueueListener.Benchmarks.Paced;

/// <summary>
/// One producer of the paced latency benchmark: logs its share of the events, each at its due time, and times every
/// call. With several producers the shares interleave, so that together they log at the cell's rate: event
/// <c>k</c> of the whole schedule is due at <c>start + k / rate</c>, and producer <c>p</c> of <c>P</c> logs the
/// events <c>k = j·P + p</c>.
/// </summary>
/// <param name="producer">This producer's number, from zero.</param>
/// <param name="producers">How many share the schedule.</param>
/// <param name="calls">This producer's share of the events.</param>
/// <param name="sentAt">When each call began, by event index, shared by the producers: this one writes only its
/// own block of <paramref name="calls"/> slots, so that two producers never write the same cache line.</param>
/// <param name="callTicks">How long each call took, by event index, laid out as <paramref name="sentAt"/>.</param>
sealed class PacedProducer(int producer, int producers, int calls, long[] sentAt, long[] callTicks)
{
    /// <summary>The index of this producer's first event: its block starts there.</summary>
    readonly int _first = producer * calls;

    /// <summary>The latest this producer began a call, past its due time, in <see cref="Stopwatch"/> ticks.</summary>
    public long MaxBehindTicks { get; private set; }

    /// <summary>Untimed calls, marked as warm-up by a negative index, so that the timed ones do not pay for
    /// compiling their path, or for what a thread does once only.</summary>
    public static void WarmUp(ILogger logger, int calls)
    {
        for (var i = 0; i < calls; i++) logger.Information(ThroughputRun.Template, -1, ThroughputRun.Customers[i & 7]);
    }

    /// <param name="logger">The pipeline.</param>
    /// <param name="start">When event zero of the whole schedule is due, in <see cref="Stopwatch"/> ticks.</param>
    /// <param name="rate">Events per second over all producers.</param>
    public void Run(ILogger logger, long start, int rate)
    {
        var interval = (double)Stopwatch.Frequency / rate;
        var customers = ThroughputRun.Customers;
        var maxBehind = 0L;
        for (var j = 0; j < calls; j++)
        {
            // Spin rather than sleep: a sleep wakes up tens of microseconds late, more than the interval at the
            // higher rates. A producer that is behind goes on at once, and how far behind it was is kept.
            var due = start + (long)(((long)j * producers + producer) * interval);
            var before = Stopwatch.GetTimestamp();
            while (before < due) before = Stopwatch.GetTimestamp();
            maxBehind = Math.Max(maxBehind, before - due);

            var index = _first + j;
            logger.Information(ThroughputRun.Template, index, customers[index & 7]);
            var after = Stopwatch.GetTimestamp();

            sentAt[index] = before;
            callTicks[index] = after - before;
        }

        MaxBehindTicks = maxBehind;
    }
}
