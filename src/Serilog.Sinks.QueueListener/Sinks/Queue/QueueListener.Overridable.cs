using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// What a subclass of QueueListener may override (EnqueueSentinel, Prepare, Handle) and the contract of each; and
// how the listener finds that none is overridden, to take the shorter path. Why the class is partial is said in
// QueueListener.cs.
public partial class QueueListener
{
    /// <summary>Whether <see cref="Handle"/> and <see cref="Prepare"/> are this class's own, not overridden: then,
    /// without <see cref="Preparation"/>, handling an event is writing it to the sinks (see
    /// <see cref="HandlesByWritingOnly"/>). Found once, at construction, when the object's type is known.</summary>
    readonly bool _handlesByDefault;

    /// <summary>Whether a delegate bound to a virtual member, which binds to its override, found none.</summary>
    static bool IsOwn(Delegate member) => member.Method.DeclaringType == typeof(QueueListener);

    /// <summary>
    /// The enrichers of <c>WriteTo.Queue(prepare: ...)</c>, applied by the default <see cref="Prepare"/>. Set before
    /// <see cref="Start"/>.
    /// </summary>
    internal EventPreparation? Preparation { get; set; }

    /// <summary>
    /// Put the sentinel into the queue. The listener thread ends when it takes the sentinel off the queue, after
    /// every event enqueued before it. Called once per <see cref="Stop()"/> of a running listener.
    /// </summary>
    /// <remarks>
    /// An override must still get a sentinel into the queue by calling the base method, on the calling thread (the
    /// sentinel is stamped with the run it stops, and whether disposal sent it); otherwise <see cref="Stop()"/> waits
    /// until its timeout. The sentinel never waits for room and is never dropped. When the override throws, the
    /// failure is reported and a plain sentinel is sent instead.
    /// </remarks>
    protected virtual void EnqueueSentinel()
    {
        _queue.EnqueueMarker(_runState.NewSentinel());
    }

    /// <summary>
    /// Turn a dequeued event into the one the sinks receive. Runs on the listener thread, once per event, before
    /// the sinks. The default returns <paramref name="logEvent"/> itself, unless <c>WriteTo.Queue</c> was given
    /// <c>prepare</c> enrichers: then it returns an enriched copy.
    /// </summary>
    /// <remarks>
    /// An override should return a copy rather than change <paramref name="logEvent"/>: sinks outside the queue may
    /// be writing the same event on other threads. An exception, or a <see langword="null"/> result, is reported to
    /// the failure listener as <see cref="LoggingFailureKind.Temporary"/>, and the sinks receive the event
    /// unprepared.
    /// </remarks>
    /// <param name="logEvent">The event as it was enqueued.</param>
    /// <returns>The event to write.</returns>
    protected virtual LogEvent Prepare(LogEvent logEvent)
    {
        return Preparation is { } preparation ? preparation.Prepare(logEvent) : logEvent;
    }

    /// <summary>
    /// Handle one event: <see cref="Prepare"/> it, then write it to each sink in order, each in its own try/catch so
    /// that a failing sink neither keeps the event from the others nor stops the listener.
    /// </summary>
    /// <param name="logEvent">The event as it was enqueued.</param>
    protected virtual void Handle(LogEvent logEvent)
    {
        LogEvent prepared;
        try
        {
            prepared = Prepare(logEvent) ?? throw new InvalidOperationException("Prepare returned null.");
        }
        catch (Exception ex)
        {
            _failureListener.Report(this, LoggingFailureKind.Temporary,
                "failed preparing an event; the sinks receive it unprepared", [logEvent], ex);
            prepared = logEvent;
        }

        if (_levelAware is { } levelAware) levelAware.Emit(prepared);
        else _sinks.Emit(prepared);
    }

    /// <summary>Whether handling an event is only writing it to the sinks: nothing overrides <see cref="Handle"/> or
    /// <see cref="Prepare"/>, and there is no <see cref="Preparation"/>. Then the listener thread hands each event to
    /// the sinks directly, which saves it a delegate call and two calls, and a frame, per event. Read as each run
    /// starts, after configuration. Holding events or flushing at a level takes the longer path too.</summary>
    internal bool HandlesByWritingOnly => _handlesByDefault && Preparation is null && _levelAware is null;
}
