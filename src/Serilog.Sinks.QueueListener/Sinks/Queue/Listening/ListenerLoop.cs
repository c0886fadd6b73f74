using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What the listener thread of a <see cref="QueueListener"/> runs: take batches off the queue, hand each event to
/// the listener, flush at flush markers, end at the sentinel, or report what it still holds once abandoned.
/// </summary>
sealed class ListenerLoop
{
    /// <summary>How many events the listener claims from the queue at once.</summary>
    public const int BatchSize = 512;

    readonly QueueListener _owner;
    readonly ListenerSinks _sinks;
    readonly ListenerRunState _runState;

    /// <summary>
    /// Set when a shutdown gave up waiting for the drain. Read by the listener thread before each event: from then
    /// on it reports what it still holds instead of handling it. Volatile, because it is read without the lock.
    /// </summary>
    volatile bool _abandoned;

    /// <summary>
    /// The size of the batch the listener thread is handling, and the index of the next event in it. Written by the
    /// listener thread only; read without synchronisation by an abandoning shutdown, for a count it reports. A stale
    /// read only makes that count approximate: the events themselves are reported by the listener thread.
    /// </summary>
    int _batchCount;
    int _batchNext;

    /// <summary>
    /// The number of events handled. Written by the listener thread only, once per event, with a plain increment
    /// published by a volatile write (no interlocked operation is needed with a single writer); read by any thread
    /// with a volatile read, which is atomic for a long even on 32-bit platforms.
    /// </summary>
    long _handledCount;

    public ListenerLoop(QueueListener owner, ListenerSinks sinks, ListenerRunState runState)
    {
        _owner = owner;
        _sinks = sinks;
        _runState = runState;
    }

    /// <summary>Whether a shutdown has abandoned the listener thread.</summary>
    public bool IsAbandoned => _abandoned;

    /// <summary>The number of events handled; see <see cref="_handledCount"/>.</summary>
    public long HandledCount => Volatile.Read(ref _handledCount);

    /// <summary>How many events of its batch the listener thread has yet to handle; approximate, see
    /// <see cref="_batchCount"/>.</summary>
    public int HeldCount => Volatile.Read(ref _batchCount) - Volatile.Read(ref _batchNext);

    /// <summary>Make the listener thread report what it still holds instead of handling it.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>The listener thread's body; <paramref name="state"/> is the completion of this run.</summary>
    public void Run(object? state)
    {
        var exited = (TaskCompletionSource<bool>)state!;
        try
        {
            RunLoop();
        }
        finally
        {
            if (_runState.EndRun()) _sinks.Dispose();
            exited.TrySetResult(true);
        }
    }

    void RunLoop()
    {
        var queue = _owner.Queue;
        var batch = new LogEvent[BatchSize];
        while (true)
        {
            int count;
            QueueMarker? marker;
            try
            {
                count = queue.TryDequeue(batch, out marker);
                if (count == 0 && marker is null)
                {
                    queue.WaitToDequeue(Timeout.InfiniteTimeSpan);
                    continue;
                }
            }
            catch (Exception ex)
            {
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Final, "the queue failed; the listener stops", null, ex);
                return;
            }

            if (count > 0)
            {
                if (!HandleBatch(batch, count)) return;
            }
            else if (ReachMarker(marker!))
            {
                return;
            }
        }
    }

    /// <returns><see langword="false"/> when the listener was abandoned and must end.</returns>
    bool HandleBatch(LogEvent[] batch, int count)
    {
        _batchCount = count;
        for (var i = 0; i < count; i++)
        {
            Volatile.Write(ref _batchNext, i + 1);
            if (_abandoned)
            {
                var rest = batch.Skip(i).Take(count - i).ToList();
                Array.Clear(batch, 0, count);
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Final,
                    $"the listener was abandoned at shutdown; {rest.Count} dequeued events were not written", rest);
                return false;
            }

            var logEvent = batch[i];
            batch[i] = null!;
            try
            {
                _owner.HandleDequeued(logEvent);
            }
            catch (Exception ex)
            {
                _sinks.CountFailure();
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Permanent, "failed handling an event", [logEvent], ex);
            }

            Volatile.Write(ref _handledCount, _handledCount + 1);
            if (QueueMetrics.Latency.Enabled) QueueMetrics.RecordLatency(logEvent.Timestamp, _runState.NameTag);
        }

        return true;
    }

    /// <returns><see langword="true"/> when the marker is the sentinel and the listener must end.</returns>
    bool ReachMarker(QueueMarker marker)
    {
        var flushed = marker.Kind != QueueMarkerKind.Flush || _sinks.Flush();
        marker.Reached.TrySetResult(flushed);
        return marker.Kind == QueueMarkerKind.Sentinel;
    }
}
