using System.Diagnostics;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// One configuration, once: a fresh stream and collector, the producer processes started and warmed up, the
/// warm-up drained, then the producers released together and the run measured until the collector has every event.
/// </summary>
static class RedisRun
{
    /// <summary>How far ahead of the release a paced schedule starts, so that both producers are spinning, not
    /// still reading their standard input, when it does.</summary>
    static readonly TimeSpan PacedLead = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the collector may go without a new event, once the producers are done, before the run
    /// counts what has not come as lost.</summary>
    static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(10);

    /// <param name="server">The Redis server.</param>
    /// <param name="configuration">How the producers log.</param>
    /// <param name="rate">Events per second over all producers, or <see langword="null"/> for as fast as they can.</param>
    /// <param name="options">The sizes.</param>
    /// <param name="shards">The keys the stream is spread over, on both sides (<c>shards</c>).</param>
    /// <exception cref="InvalidOperationException">When a producer fails to start, warm up or report.</exception>
    public static RedisRunResult Run(IBenchmarkRedis server, ProducerConfiguration configuration, int? rate,
        RedisOptions options, int shards = 1)
    {
        var eventsPerProducer = rate is not null
            ? options.PacedEventsPerProducer
            : configuration.WaitsForEachEvent() ? options.RoundTripEventsPerProducer : options.EventsPerProducer;
        var events = options.Producers * eventsPerProducer;

        // A key of its own, deleted afterwards: no configuration reads another's entries or pays for its memory.
        var key = $"bench:{configuration}:{rate?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "max"}:{shards}".ToLowerInvariant();
        server.DeleteKey(key);
        var collector = configuration.UsesRedis()
            ? new Collector(server.Configuration, key, events, options.ReadCount, options.PollInterval, shards)
            : null;
        var children = new List<ProducerProcess>();
        try
        {
            ProducerProcess.StartAll(children, server.Configuration, key, configuration, eventsPerProducer, rate,
                options.Producers, options.WarmUp, options.MaxWarmUp, shards);

            var warmUps = children.Sum(c => c.WaitUntilReady(options.Timeout));
            if (collector is not null && !collector.WaitForWarmUps(warmUps, options.Timeout))
            {
                throw new InvalidOperationException($"The collector did not receive the {warmUps:N0} warm-up events within {options.Timeout.TotalSeconds:F0} s.");
            }

            var costsBefore = ProcessCosts.Now();
            var redisCpuBefore = server.CpuTime;
            var timesBefore = collector?.Queue.Snapshot() ?? default;
            var released = Stopwatch.GetTimestamp();
            var start = released + (long)(PacedLead.TotalSeconds * Stopwatch.Frequency);
            foreach (var child in children) child.Go(start);

            var results = children.Select(c => c.WaitForResult(options.Timeout)).ToList();
            var completed = collector is null || WaitForDeliveries(collector.Sink);
            var end = collector is { Sink.LastAt: > 0 } ? collector.Sink.LastAt : Stopwatch.GetTimestamp();
            var costs = ProcessCosts.Now() - costsBefore;
            var redisCpu = server.CpuTime - redisCpuBefore;
            var times = collector is null ? default : collector.Queue.Snapshot() - timesBefore;

            // Disposal joins the listener thread, after which the sink's arrays are complete.
            collector?.Dispose();
            var sink = collector?.Sink;
            return new RedisRunResult(
                configuration,
                rate,
                eventsPerProducer,
                results,
                sink?.Distinct ?? results.Sum(r => r.Delivered),
                sink?.Duplicates ?? 0,
                completed,
                sink is null ? double.NaN : Stopwatch.GetElapsedTime(sink.FirstAt, sink.LastAt).TotalSeconds,
                Stopwatch.GetElapsedTime(released, Math.Max(end, released)).TotalSeconds,
                sink is null ? [] : Percentiles(sink.LatencyTicks, 50, 99, 99.9, 100),
                sink is null ? [] : Percentiles(sink.ToRedisTicks, 50, 99, 100),
                results.Sum(r => r.CpuNanoseconds) / 1e9,
                redisCpu.TotalSeconds,
                collector is null ? default : costs,
                times,
                collector?.FailureReports ?? 0);
        }
        finally
        {
            foreach (var child in children) child.Dispose();

            // Again when the run got this far, which is harmless: disposal is idempotent.
            collector?.Dispose();
            server.DeleteKey(key);
        }
    }

    /// <summary>Wait until every event has arrived, or none has for <see cref="StallTimeout"/>.</summary>
    public static bool WaitForDeliveries(DeliveryRecordingSink sink)
    {
        var last = -1L;
        var stalled = Stopwatch.StartNew();
        while (!sink.WaitForAll(TimeSpan.FromMilliseconds(200)))
        {
            var distinct = sink.Distinct;
            if (distinct != last)
            {
                last = distinct;
                stalled.Restart();
            }
            else if (stalled.Elapsed > StallTimeout)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The <paramref name="percentiles"/> of <paramref name="ticks"/>, in milliseconds.</summary>
    static double[] Percentiles(ReadOnlySpan<long> ticks, params double[] percentiles)
    {
        if (ticks.IsEmpty) return [];

        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        return [.. percentiles.Select(p => Percentile.Of<long>(sorted, p) / (double)TimeSpan.TicksPerMillisecond)];
    }
}
