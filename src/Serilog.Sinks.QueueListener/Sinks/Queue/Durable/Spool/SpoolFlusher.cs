namespace Serilog.Sinks.Queue;

/// <summary>
/// The group commit of <c>flushToDisk: interval</c>: every interval, on a timer thread, the segments written since
/// the last round and the checkpoint are flushed to the disk (msync). Producers never wait for it; a power loss
/// takes at most the events of the last interval (and what the disk's own cache holds, which no file API
/// controls).
/// </summary>
/// <remarks>One round at a time: the timer is re-armed only when a round ends, so a slow disk stretches the interval
/// rather than stacking rounds.</remarks>
sealed class SpoolFlusher : IDisposable
{
    readonly SpoolWriter _writer;
    readonly SpoolCheckpoint _checkpoint;
    readonly TimeSpan _interval;
    readonly Timer _timer;
    readonly object _round = new();

    /// <summary>Where the next round starts; only the timer's callback uses it, one round at a time.</summary>
    SpoolSegment _from;
    bool _disposed;

    public SpoolFlusher(SpoolWriter writer, SpoolSegment from, SpoolCheckpoint checkpoint, TimeSpan interval)
    {
        _writer = writer;
        _from = from;
        _checkpoint = checkpoint;
        _interval = interval;
        _timer = ExecutionContextFlow.Suppressed(this,
            static flusher => new Timer(static state => ((SpoolFlusher)state!).Round(), flusher, flusher._interval, Timeout.InfiniteTimeSpan));
    }

    void Round()
    {
        lock (_round)
        {
            if (_disposed) return;

            try
            {
                _from = _writer.FlushFrom(_from);
                _checkpoint.Flush();
            }
            catch (IOException)
            {
                // The next round tries again; a disk that keeps failing shows in the next segment's creation.
            }

            _timer.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_round)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }
}
