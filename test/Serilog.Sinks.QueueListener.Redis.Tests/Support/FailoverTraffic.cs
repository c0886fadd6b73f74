using Serilog.Core;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;
using QueueListenerType = Serilog.Sinks.Queue.QueueListener;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Producers that log without a break, each through its own <c>WriteTo.Queue</c> (Block mode) and connection, into
/// one stream, and a collector that reads it into an <see cref="ArrivalSink"/>: the traffic a failover test puts
/// across a topology. Each producer numbers its events from 1, about two a millisecond.
/// </summary>
sealed class FailoverTraffic : IDisposable
{
    readonly List<Logger> _producers = [];
    readonly List<Thread> _threads = [];
    readonly long[] _produced;
    readonly RedisStreamQueue _queue;
    volatile bool _stop;

    /// <param name="producerConfiguration">The producers' configuration string.</param>
    /// <param name="collectorConfiguration">The collector's.</param>
    /// <param name="streamKey">The stream.</param>
    /// <param name="producers">How many producers.</param>
    /// <param name="shutdownTimeout">How long each producer's disposal may wait for Redis; 30 s by default.</param>
    /// <param name="waitForReplicas">The producers' <c>waitForReplicas</c>.</param>
    /// <param name="shards">The keys the stream is spread over, the producers' <c>shards</c> and the collector's.</param>
    public FailoverTraffic(string producerConfiguration, string collectorConfiguration, string streamKey, int producers = 2,
        TimeSpan? shutdownTimeout = null, int waitForReplicas = 0, int shards = 1)
    {
        _produced = new long[producers];
        StreamKey = streamKey;
        _queue = new RedisStreamQueue(collectorConfiguration, streamKey, new RedisStreamQueueOptions { GroupName = "g", ConsumerName = "collector", Shards = shards });
        _queue.SetFailureListener(CollectorFailures);
        Listener = new QueueListenerType(_queue, Written).Start();

        for (var i = 0; i < producers; i++)
        {
            _producers.Add(new LoggerConfiguration()
                .Enrich.WithProperty("Producer", "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WriteTo.Fallible(f => f.Queue(a => a.RedisStream(producerConfiguration, streamKey, waitForReplicas: waitForReplicas, shards: shards), shutdownTimeout: shutdownTimeout ?? TimeSpan.FromSeconds(30)), ProducerFailures)
                .CreateLogger());
        }
    }

    public string StreamKey { get; }

    public ArrivalSink Written { get; } = new();

    public CollectingFailureListener CollectorFailures { get; } = new();

    public CollectingFailureListener ProducerFailures { get; } = new();

    public QueueListenerType Listener { get; }

    /// <summary>Start every producer logging on a thread of its own until <see cref="StopProducing"/>.</summary>
    public void StartProducing()
    {
        for (var i = 0; i < _producers.Count; i++)
        {
            var index = i;
            var thread = new Thread(() => Produce(index)) { IsBackground = true, Name = "producer " + index.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            _threads.Add(thread);
            thread.Start();
        }
    }

    void Produce(int index)
    {
        var logger = _producers[index];
        while (!_stop)
        {
            var sequence = Interlocked.Increment(ref _produced[index]);
            logger.Information("Event {Sequence}", sequence);

            // Paced, so that a run of a few seconds stays a few thousand events.
            if (sequence % 2 == 0) Thread.Sleep(1);
        }
    }

    /// <summary>Each producer's name and how many events it has logged so far.</summary>
    public Dictionary<string, long> Produced =>
        Enumerable.Range(0, _produced.Length).ToDictionary(i => "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i => Interlocked.Read(ref _produced[i]));

    /// <summary>Stop the producers and dispose their loggers, which sends what they hold, or reports it once the
    /// shutdown timeout has passed.</summary>
    public void StopProducing()
    {
        // The threads are given a while to finish their last call first, so that no event is logged into a logger
        // being disposed (refused and reported, but never written); then the loggers are disposed, which also lets
        // go of a producer still blocked on a full queue (Block mode, Redis refusing for good) after the shutdown
        // timeout.
        _stop = true;
        foreach (var thread in _threads) thread.Join(TimeSpan.FromSeconds(5));
        Parallel.ForEach(_producers, producer => producer.Dispose());
        foreach (var thread in _threads) thread.Join();
    }

    /// <summary>Wait until every event produced has been written.</summary>
    public bool WaitForAll(TimeSpan timeout)
    {
        var total = Produced.Values.Sum();
        return Written.WaitUntil(() => Written.Distinct >= total, timeout);
    }

    /// <summary>The reports of both sides, for a failure message or the test's output.</summary>
    public string Reports =>
        "collector: " + string.Join(" | ", CollectorFailures.Failures.Select(f => $"{f.Kind} {f.Message} {f.Exception?.GetType().Name} {f.Exception?.Message}")) +
        "; producers: " + string.Join(" | ", ProducerFailures.Failures.Select(f => $"{f.Kind} {f.Message} ({f.Events.Count} events) {f.Exception?.GetType().Name} {f.Exception?.Message}"));

    public void Dispose()
    {
        if (!_stop) StopProducing();
        Listener.Dispose();
        _queue.Dispose();
    }
}
