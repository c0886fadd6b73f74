using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Queue;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// The collector, in the benchmark's own process, as the README writes one:
/// <c>new QueueListener(new RedisStreamQueue(...), sink).Start()</c>, with the queue timed by a
/// <see cref="TimingQueue"/> and the sink a <see cref="DeliveryRecordingSink"/>. Started before the producers, so
/// that its consumer group exists (from the start of the stream) before their first entry.
/// </summary>
sealed class Collector : IDisposable, ILoggingFailureListener
{
    const string GroupName = "bench-collectors";
    const string ConsumerName = "collector-1";

    readonly RedisStreamQueue _queue;
    readonly Serilog.Sinks.Queue.QueueListener _listener;
    long _failureReports;

    /// <param name="redis">The server's configuration string.</param>
    /// <param name="streamKey">The stream to read.</param>
    /// <param name="events">The measured events the producers will log.</param>
    /// <param name="readCount">The most entries one read takes (<c>RedisStreamQueue</c>'s <c>readCount</c>).</param>
    /// <param name="pollInterval">How long the queue naps when the stream is empty; <see langword="null"/> for its
    /// default.</param>
    /// <param name="shards">The keys the stream is spread over (<c>Shards</c>).</param>
    public Collector(string redis, string streamKey, int events, int readCount, TimeSpan? pollInterval, int shards = 1)
    {
        _queue = new RedisStreamQueue(redis, streamKey, new RedisStreamQueueOptions
        {
            GroupName = GroupName,
            ConsumerName = ConsumerName,
            ReadCount = readCount,
            PollInterval = pollInterval ?? new RedisStreamQueueOptions().PollInterval,
            Shards = shards,
        });
        _queue.SetFailureListener(this);
        Queue = new TimingQueue(_queue);
        Sink = new DeliveryRecordingSink(events);
        _listener = new Serilog.Sinks.Queue.QueueListener(Queue, Sink);
        _listener.SetFailureListener(this);
        _listener.Start();
    }

    public DeliveryRecordingSink Sink { get; }

    public TimingQueue Queue { get; }

    /// <summary>Failures the queue or the listener reported: unreadable entries, a failed read or
    /// acknowledgement, a sink that threw. None is expected.</summary>
    public long FailureReports => Interlocked.Read(ref _failureReports);

    /// <summary>Wait until the collector has taken <paramref name="warmUps"/> warm-up events, so that the measured
    /// run starts with the stream drained.</summary>
    /// <returns>Whether it did in time.</returns>
    public bool WaitForWarmUps(long warmUps, TimeSpan timeout)
    {
        // Naps, not spins: the cores are the collector's and Redis's while they drain the warm-up.
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (Sink.WarmUps < warmUps)
        {
            if (waiting.Elapsed > timeout) return false;
            Thread.Sleep(2);
        }

        return true;
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message,
        IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (Interlocked.Increment(ref _failureReports) <= 5) Console.Error.WriteLine($"Collector: {kind}: {message} {exception?.Message}");
    }

    /// <summary>Stops the listener (what it read is written and acknowledged), which disposes the sink, then
    /// closes the connection.</summary>
    public void Dispose()
    {
        _listener.Dispose();
        _queue.Dispose();
    }
}
