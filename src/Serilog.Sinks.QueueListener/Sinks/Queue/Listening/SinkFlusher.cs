using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Flushes one wrapped sink and the sinks inside it, as found by <see cref="SinkFlushing"/>. Used by the listener
/// thread only.
/// </summary>
sealed class SinkFlusher
{
    readonly (ILogEventSink Sink, Action Flush)[] _flushes;
    readonly ILogEventSink[] _unflushable;
    bool _unflushableReported;

    public SinkFlusher(IEnumerable<(ILogEventSink, Action)> flushes, IEnumerable<ILogEventSink> unflushable)
    {
        _flushes = flushes.ToArray();
        _unflushable = unflushable.ToArray();
    }

    /// <summary>
    /// Flush every sink that can be, each in its own try/catch.
    /// </summary>
    /// <returns><see langword="false"/> when a sink failed to flush, or holds events that cannot be flushed; both
    /// are reported (the second once).</returns>
    public bool Flush(ListenerFailures failures)
    {
        var flushed = true;
        foreach (var (sink, flush) in _flushes)
        {
            try
            {
                flush();
            }
            catch (Exception ex)
            {
                flushed = false;
                failures.Report(LoggingFailureKind.Temporary, $"failed flushing the sink {sink}", null, ex);
            }
        }

        if (_unflushable.Length == 0) return flushed;

        if (!_unflushableReported)
        {
            _unflushableReported = true;
            failures.Report(LoggingFailureKind.Temporary,
                $"a flush cannot reach what {string.Join(", ", _unflushable.Select(s => s.ToString()))} buffers, so it reports false; give such a sink a queue of its own, or none",
                null);
        }

        return false;
    }
}
