namespace Serilog.Sinks.Queue;

/// <summary>
/// What an application may hold on to of a queue built by <c>WriteTo.Queue(..., monitor: q =&gt; ...)</c>: its
/// state and counters, and a flush. Writing and disposing stay with the logger.
/// </summary>
/// <remarks>
/// Typical uses: flush before a process hands over (a serverless function returning, a test asserting on a log
/// file), and a health check on <see cref="State"/>, on <see cref="DroppedCount"/>, or on <see cref="Count"/> against
/// <see cref="BufferSize"/>. Every member is safe to call from any thread, also after the logger is disposed.
/// </remarks>
public sealed class QueueHandle
{
    readonly QueueSink _sink;

    internal QueueHandle(QueueSink sink)
    {
        _sink = sink;
    }

    /// <summary>
    /// The queue's name in metrics (the <c>queue.name</c> tag).
    /// </summary>
    public string Name => _sink.Listener?.Name ?? string.Empty;

    /// <summary>
    /// The number of events waiting in the queue (a snapshot).
    /// </summary>
    public int Count => _sink.Queue.Count;

    /// <summary>
    /// The most events the queue holds at once: <c>bufferSize</c>, as given to <c>WriteTo.Queue</c> (the queue's
    /// <see cref="ILogEventQueue.Capacity"/>).
    /// </summary>
    public int BufferSize => _sink.Queue.Capacity;

    /// <summary>
    /// Where the queue's listener is in its life: running, stopped, disposed, or abandoned by a shutdown that gave
    /// up waiting for it.
    /// </summary>
    public QueueListenerState State => _sink.Listener?.State ?? QueueListenerState.NotStarted;

    /// <summary>
    /// The number of events the queue has dropped because it was full (never in
    /// <see cref="QueueFullMode.Block"/> mode).
    /// </summary>
    public long DroppedCount => _sink.Queue.DroppedCount;

    /// <summary>
    /// The number of events the listener has written to the sinks (whether or not a sink failed on one).
    /// </summary>
    public long HandledCount => _sink.HandledCount;

    /// <summary>
    /// The number of events held now by <c>WriteTo.Queue(..., hold: ...)</c> until a trigger (see
    /// <see cref="HoldOptions"/>); 0 when nothing is held. Held events are counted in <see cref="HandledCount"/>.
    /// </summary>
    public int HeldCount => _sink.Listener?.HeldCount ?? 0;

    /// <summary>
    /// The number of held events let go without being written: pushed out by the limit, older than the age limit,
    /// or still held at disposal when <see cref="HoldOptions.WriteOnClose"/> is <see langword="false"/>. Letting go
    /// is what holding is for, so these are counted here, not reported as failures.
    /// </summary>
    public long LetGoCount => _sink.Listener?.LetGoCount ?? 0;

    /// <inheritdoc cref="QueueSink.Flush"/>
    public bool Flush(TimeSpan timeout) => _sink.Flush(timeout);

    /// <inheritdoc cref="QueueSink.FlushAsync"/>
    public Task<bool> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _sink.FlushAsync(timeout, cancellationToken);
}
