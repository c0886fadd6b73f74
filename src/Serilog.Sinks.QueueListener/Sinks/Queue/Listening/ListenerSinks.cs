using System.Runtime.CompilerServices;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The sinks a <see cref="QueueListener"/> writes to, and everything it does to all of them at once: emit, flush,
/// pass on the failure listener, dispose. Each sink is handled in its own try/catch, so that one faulty sink never
/// starves the others; failures are reported with the listener as the sender.
/// </summary>
/// <remarks>
/// Emit, flush and disposal run on the listener thread only; disposal once, at the end of the final run (see
/// <see cref="ListenerRunState"/>).
/// </remarks>
sealed class ListenerSinks
{
    readonly ListenerFailures _failures;
    readonly ILogEventSink[] _sinks;

    /// <summary>The sink, when there is exactly one.</summary>
    readonly ILogEventSink? _only;

    /// <summary>How to flush each sink, and the sinks inside it, by index into <see cref="_sinks"/>. Found once, at
    /// construction (see <see cref="SinkFlushing"/>).</summary>
    readonly SinkFlusher[] _flushers;

    /// <summary>The sinks that hold events after <c>Emit</c>; found once, at construction.</summary>
    readonly HeldEventRelease _holders;

    /// <summary><c>_holders.Any</c>, kept here so that the per-event check reads no other object.</summary>
    readonly bool _anyHolders;

    /// <summary>See <see cref="Disposing"/>.</summary>
    ILogEventSink? _disposing;

    /// <summary>Times a sink failed on an event; written by the listener thread only, like
    /// <see cref="ListenerLoop.HandledCount"/>.</summary>
    long _failureCount;

    /// <param name="failures">Where failures are reported, with the listener as the sender.</param>
    /// <param name="sinks">The sinks, already checked for <see langword="null"/>.</param>
    public ListenerSinks(ListenerFailures failures, ILogEventSink[] sinks)
    {
        _failures = failures;
        _sinks = sinks;
        _only = sinks.Length == 1 ? sinks[0] : null;
        _flushers = Array.ConvertAll(_sinks, SinkFlushing.Find);
        _holders = new HeldEventRelease(_sinks);
        _anyHolders = _holders.Any;
    }

    /// <inheritdoc cref="HeldEventRelease.Release"/>
    public bool ReleaseHeld(ILogEventQueue queue, string reason, LogEvent? inFlight) => _holders.Release(_failures, queue, reason, inFlight);

    /// <summary>Whether every event handed to the sinks is written, not only held by a sink (see
    /// <see cref="IHoldingSink.WaitUntilWritten"/>); waits for the sinks that hold events. On the listener
    /// thread.</summary>
    public bool WaitUntilHeldWritten() => !_anyHolders || _holders.WaitUntilWritten(_failures);

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
        if (_anyHolders)
        {
            EmitToHolders(prepared);
            return;
        }

        EmitToAll(prepared);
    }

    /// <summary><see cref="EmitToAll"/>, telling a shutdown that gives up meanwhile which prepared event it was.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    void EmitToHolders(LogEvent prepared)
    {
        _holders.Emitting(prepared);
        EmitToAll(prepared);
        _holders.Emitting(null);
    }

    void EmitToAll(LogEvent prepared)
    {
        // One sink, which is what WriteTo.Queue builds: no loop whose state the try would keep in memory.
        if (_only is { } only)
        {
            try
            {
                only.Emit(prepared);
            }
            catch (Exception ex)
            {
                ReportEmitFailure(only, prepared, ex);
            }

            return;
        }

        foreach (var sink in _sinks)
        {
            try
            {
                sink.Emit(prepared);
            }
            catch (Exception ex)
            {
                ReportEmitFailure(sink, prepared, ex);
            }
        }
    }

    /// <summary>Out of line: the message's interpolation handler, inlined, would have every call of
    /// <see cref="Emit"/> clear its stack space, on the listener's path for every event.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    void ReportEmitFailure(ILogEventSink sink, LogEvent prepared, Exception exception)
    {
        CountFailure();
        _failures.Report(LoggingFailureKind.Permanent, $"failed emitting an event to the sink {sink}", [prepared], exception);
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

    /// <returns><see langword="false"/> when a sink failed to flush, or holds events a flush cannot reach.</returns>
    public bool Flush()
    {
        var flushed = true;
        foreach (var flusher in _flushers)
        {
            flushed &= flusher.Flush(_failures);
        }

        return flushed;
    }

    /// <summary>The sink whose <c>Dispose</c> is running, for a shutdown that gave up waiting to name it;
    /// <see langword="null"/> otherwise.</summary>
    public ILogEventSink? Disposing => Volatile.Read(ref _disposing);

    /// <summary>
    /// Dispose each sink, in its own try/catch; asynchronously disposable sinks that are not also disposable are
    /// disposed asynchronously and waited for. Runs on the listener thread, at the end of its final run.
    /// </summary>
    public void Dispose()
    {
        foreach (var sink in _sinks)
        {
            Volatile.Write(ref _disposing, sink);
            try
            {
                if (sink is IDisposable disposable)
                {
                    disposable.Dispose();
                }
                else if (sink is IAsyncDisposable asyncDisposable)
                {
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            catch (Exception ex)
            {
                ReportDisposeFailure(sink, ex);
            }
        }

        Volatile.Write(ref _disposing, null);
    }

    void ReportDisposeFailure(ILogEventSink sink, Exception exception)
    {
        _failures.Report(LoggingFailureKind.Permanent, $"failed disposing the sink {sink}", null, exception);
    }
}
