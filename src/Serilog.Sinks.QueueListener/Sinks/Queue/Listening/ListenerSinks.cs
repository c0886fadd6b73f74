using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The sinks a <see cref="QueueListener"/> writes to, and everything it does to all of them at once: emit, flush,
/// pass on the failure listener, dispose. Each sink is handled in its own try/catch, so that one faulty sink never
/// starves the others; failures are reported with the listener as the sender.
/// </summary>
/// <remarks>
/// Emit and flush run on the listener thread only. Disposal runs once, on the disposing thread or, when a shutdown
/// abandoned the listener thread, on that thread as it ends (see <see cref="ListenerRunState.EndRun"/>).
/// </remarks>
sealed class ListenerSinks
{
    readonly QueueListener _owner;
    readonly ILogEventSink[] _sinks;

    /// <summary>How to flush each sink, by index into <see cref="_sinks"/>; <see langword="null"/> for a sink that
    /// cannot be flushed. Found once, at construction (see <see cref="SinkFlushing"/>).</summary>
    readonly Action?[] _flushers;

    /// <summary>Times a sink failed on an event; written by the listener thread only, like
    /// <see cref="ListenerLoop.HandledCount"/>.</summary>
    long _failureCount;

    /// <param name="owner">The listener, reported as the sender of failures, whose failure listener is used.</param>
    /// <param name="sinks">The sinks, already checked for <see langword="null"/>.</param>
    public ListenerSinks(QueueListener owner, ILogEventSink[] sinks)
    {
        _owner = owner;
        _sinks = sinks;
        _flushers = Array.ConvertAll(_sinks, SinkFlushing.Find);
    }

    /// <summary>Times a sink (or an override of <c>Handle</c>) failed on an event.</summary>
    public long FailureCount => Volatile.Read(ref _failureCount);

    /// <summary>On the failure path only; the listener thread is the only writer (see
    /// <see cref="ListenerLoop.HandledCount"/>).</summary>
    public void CountFailure() => Volatile.Write(ref _failureCount, _failureCount + 1);

    /// <summary>
    /// Write <paramref name="prepared"/> to each sink in order, each in its own try/catch.
    /// </summary>
    public void Emit(LogEvent prepared)
    {
        foreach (var sink in _sinks)
        {
            try
            {
                sink.Emit(prepared);
            }
            catch (Exception ex)
            {
                CountFailure();
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Permanent,
                    $"failed emitting an event to the sink {sink}", [prepared], ex);
            }
        }
    }

    /// <summary>
    /// Pass <paramref name="failureListener"/> on to the sinks that accept one.
    /// </summary>
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        foreach (var sink in _sinks)
        {
            if (sink is ISetLoggingFailureListener accepting) accepting.SetFailureListener(failureListener);
        }
    }

    /// <returns><see langword="false"/> when a sink failed to flush.</returns>
    public bool Flush()
    {
        var flushed = true;
        for (var i = 0; i < _sinks.Length; i++)
        {
            try
            {
                _flushers[i]?.Invoke();
            }
            catch (Exception ex)
            {
                flushed = false;
                _owner.FailureListener.Report(_owner, LoggingFailureKind.Temporary, $"failed flushing the sink {_sinks[i]}", null, ex);
            }
        }

        return flushed;
    }

    public void Dispose()
    {
        foreach (var sink in _sinks)
        {
            try
            {
                (sink as IDisposable)?.Dispose();
            }
            catch (Exception ex)
            {
                ReportDisposeFailure(sink, ex);
            }
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var sink in _sinks)
        {
            try
            {
                if (sink is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    (sink as IDisposable)?.Dispose();
                }
            }
            catch (Exception ex)
            {
                ReportDisposeFailure(sink, ex);
            }
        }
    }

    void ReportDisposeFailure(ILogEventSink sink, Exception exception)
    {
        _owner.FailureListener.Report(_owner, LoggingFailureKind.Permanent, $"failed disposing the sink {sink}", null, exception);
    }
}
