using System.Diagnostics;
using Serilog.Sinks.QueueListener.Benchmarks.Measurement;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// Batched entries, each side alone (see <see cref="StagedRunResult"/>): the producers at full speed into a stream
/// nobody reads, then a collector started on the full stream. The collector's group is created from the start of
/// the stream, so it reads the warm-up events first and then the measured ones; its rate and costs cover both.
/// </summary>
static class StagedRun
{
    /// <exception cref="InvalidOperationException">When a producer fails to start, warm up or report.</exception>
    public static StagedRunResult Run(IBenchmarkRedis server, RedisOptions options)
    {
        const ProducerConfiguration configuration = ProducerConfiguration.QueueBatched;
        var eventsPerProducer = options.EventsPerProducer;
        var key = "bench:staged";
        server.DeleteKey(key);
        var children = new List<ProducerProcess>();
        Collector? collector = null;
        try
        {
            ProducerProcess.StartAll(children, server.Configuration, key, configuration, eventsPerProducer, null,
                options.Producers, options.WarmUp, options.MaxWarmUp);
            foreach (var child in children) child.WaitUntilReady(options.Timeout);

            var redisCpuBefore = server.CpuTime;
            foreach (var child in children) child.Go(Stopwatch.GetTimestamp());
            var results = children.Select(c => c.WaitForResult(options.Timeout)).ToList();
            var producersRedisCpu = server.CpuTime - redisCpuBefore;

            var costsBefore = ProcessCosts.Now();
            redisCpuBefore = server.CpuTime;
            var collectorStart = Stopwatch.GetTimestamp();
            collector = new Collector(server.Configuration, key, options.Producers * eventsPerProducer, options.ReadCount,
                options.PollInterval);
            var completed = RedisRun.WaitForDeliveries(collector.Sink);
            var costs = ProcessCosts.Now() - costsBefore;
            var collectorRedisCpu = server.CpuTime - redisCpuBefore;
            var times = collector.Queue.Snapshot();
            collector.Dispose();

            var sink = collector.Sink;
            return new StagedRunResult(eventsPerProducer, results, producersRedisCpu.TotalSeconds, sink.Distinct,
                sink.Duplicates, completed, sink.WarmUps, Stopwatch.GetElapsedTime(collectorStart, sink.LastAt).TotalSeconds,
                costs, collectorRedisCpu.TotalSeconds, times);
        }
        finally
        {
            foreach (var child in children) child.Dispose();

            // Again when the run got this far, which is harmless: disposal is idempotent.
            collector?.Dispose();
            server.DeleteKey(key);
        }
    }
}
