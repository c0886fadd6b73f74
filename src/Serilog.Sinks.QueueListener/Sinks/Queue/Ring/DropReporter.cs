using System.Collections.Concurrent;
using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Reports the events a <see cref="LogEventQueue"/> drops, many to a report, off the producers' path: a producer
/// only adds the event to a lock-free list, and a timer reports the list a moment later, so a burst of drops costs
/// the failure listener (and <see cref="Serilog.Debugging.SelfLog"/>) a handful of calls with the counts, not one per
/// event on the application's thread, and a fallback chain still receives every dropped event.
/// </summary>
/// <remarks>
/// Bounds: about <see cref="HeldLimit"/> events wait for a report. A producer that finds that many waiting reports
/// them itself, unless a report is already running; past twice the limit (drops come faster than one thread reports
/// them) a producer reports its own event on its own. Either way every dropped event reaches the failure listener
/// with the event itself. Before a queue's owner is done with it (the listener's last run ends, the sink is
/// disposed) it calls <see cref="ReportPending"/>, so that no report is left behind when the process exits.
/// <para>Interrupts: <see cref="Add"/> runs on the application's threads, after the queue has already let go of the
/// event (evicted it from the ring, or refused it), so an interrupt meant for that thread must not cost the event its
/// report. It can land in three places here: in the spin or the segment lock of the held list (retried, see
/// <see cref="InterruptDeferral.Enqueue{T}"/>), in the timer's lock (retried), and in the failure listener itself,
/// which may wait (retried, then the events are held again; see <see cref="InterruptedReportRetry"/>). Each is held
/// back and raised again once <see cref="Add"/> returns, so the interrupt still reaches the thread's next wait.</para>
/// </remarks>
sealed class DropReporter
{
    /// <summary>How long a dropped event waits for the report that carries it.</summary>
    static readonly TimeSpan ReportDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The most events held for one report.</summary>
    internal const int HeldLimit = 10_000;

    readonly object _sender;
    readonly Func<ILoggingFailureListener> _failureListener;

    /// <summary>The dropped events not yet reported; added to by producers, emptied by <see cref="ReportPending"/>.</summary>
    readonly ConcurrentQueue<DroppedEvent> _dropped = new();

    /// <summary>Serialises reports, so that <see cref="ReportPending"/> returns only once every report that began
    /// before it has reached the failure listener. Never taken by a producer that would have to wait for it.</summary>
    readonly object _reportSync = new();

    /// <summary>Fires <see cref="ReportPending"/> once, <see cref="ReportDelay"/> after it is armed.</summary>
    readonly Timer _timer;

    /// <summary>Events in <see cref="_dropped"/>, changed with interlocked operations.</summary>
    int _held;

    /// <summary>1 while the timer is armed; set by the producer that arms it, cleared by the report it fires.</summary>
    int _armed;

    /// <param name="sender">The queue, reported as the sender.</param>
    /// <param name="failureListener">Reads the queue's failure listener at the time of each report.</param>
    public DropReporter(object sender, Func<ILoggingFailureListener> failureListener)
    {
        _sender = sender;
        _failureListener = failureListener;

        // The timer fires on the thread pool; it must not carry the configuring thread's AsyncLocals along.
        _timer = ExecutionContextFlow.Suppressed(
            this, static reporter => new Timer(static state => ((DropReporter)state!).ReportPending(), reporter, Timeout.Infinite, Timeout.Infinite));
    }

    /// <summary>
    /// Hold <paramref name="logEvent"/> for the next report. Called by a producer; never waits for a lock or a
    /// sleep, though in a flood it may report a batch itself. Not cut short by an interrupt: one that lands in a step
    /// here is held back and raised again on return.
    /// </summary>
    public void Add(LogEvent logEvent, DropReason reason)
    {
        // The event may already be out of the ring (evicted), so this is its only way to a report: nothing here may
        // throw it away. An interrupt meant for the application's thread can land wherever this waits, spins or
        // calls the failure listener; each such step below either finishes or leaves the event held.
        var interrupted = false;
        var held = Interlocked.Increment(ref _held);
        if (held > 2 * HeldLimit)
        {
            // Drops come faster than the reports carry them away: report this one on its own, here, rather than let
            // the held list grow without bound or the event go without its report.
            Interlocked.Decrement(ref _held);
            if (TryReport(_failureListener(), [logEvent], reason, ref interrupted))
            {
                InterruptDeferral.Restore(interrupted);
                return;
            }

            // Interrupted every time it was offered: hold it after all, one over the bound, for the timer's report.
            held = Interlocked.Increment(ref _held);
        }

        InterruptDeferral.Enqueue(_dropped, new DroppedEvent(logEvent, reason), ref interrupted);
        if (held >= HeldLimit && TryEnterReport(ref interrupted))
        {
            try
            {
                ReportHeld(ref interrupted);
            }
            finally
            {
                Monitor.Exit(_reportSync);
            }
        }

        ArmUnlessArmed(ref interrupted);
        InterruptDeferral.Restore(interrupted);
    }

    /// <summary>
    /// Report everything held now, on the calling thread, after any report already running. Not cut short by an
    /// interrupt while it waits for that report, nor while it reports (see <see cref="InterruptedReportRetry"/>).
    /// </summary>
    public void ReportPending()
    {
        var interrupted = InterruptDeferral.Enter(_reportSync);
        try
        {
            // Disarm before taking the events: a producer that adds one after this, or a report that hands its
            // events back, arms the timer again.
            Volatile.Write(ref _armed, 0);
            ReportHeld(ref interrupted);
        }
        finally
        {
            Monitor.Exit(_reportSync);
            InterruptDeferral.Restore(interrupted);
        }
    }

    /// <summary><see cref="Monitor.TryEnter(object, ref bool)"/> on <see cref="_reportSync"/>, which does not wait;
    /// should a pending interrupt still surface there, it is held back, and the monitor is entered only if it was
    /// taken.</summary>
    bool TryEnterReport(ref bool interrupted)
    {
        var taken = false;
        try
        {
            Monitor.TryEnter(_reportSync, ref taken);
        }
        catch (ThreadInterruptedException)
        {
            interrupted = true;
        }

        return taken;
    }

    void ArmUnlessArmed(ref bool interrupted)
    {
        if (Volatile.Read(ref _armed) == 0 && Interlocked.CompareExchange(ref _armed, 1, 0) == 0) Arm(ref interrupted);
    }

    /// <summary>
    /// Set the timer. Changing a timer takes the runtime's timer lock, where an interrupt can land: retry, so that
    /// the armed flag never stands without a timer behind it; the caller raises the interrupt again afterwards.
    /// </summary>
    void Arm(ref bool interrupted)
    {
        while (true)
        {
            try
            {
                _timer.Change(ReportDelay, Timeout.InfiniteTimeSpan);
                return;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>Report what is held now; the caller holds <see cref="_reportSync"/>.</summary>
    void ReportHeld(ref bool interrupted)
    {
        // Take what is held now and no more: under a steady flood of drops, taking until the list is empty could keep
        // one report going for ever. What arrives meanwhile goes into the next report.
        List<LogEvent>? incoming = null, oldest = null, noSlot = null;
        for (var left = Volatile.Read(ref _held); left > 0 && InterruptDeferral.TryDequeue(_dropped, out var dropped, ref interrupted); left--)
        {
            Interlocked.Decrement(ref _held);
            var list = dropped.Reason switch
            {
                DropReason.QueueFull => incoming ??= [],
                DropReason.Evicted => oldest ??= [],
                _ => noSlot ??= [],
            };
            list.Add(dropped.Event);
        }

        var listener = _failureListener();
        if (incoming is not null) ReportOrHandBack(listener, incoming, DropReason.QueueFull, ref interrupted);
        if (oldest is not null) ReportOrHandBack(listener, oldest, DropReason.Evicted, ref interrupted);
        if (noSlot is not null) ReportOrHandBack(listener, noSlot, DropReason.NoSlot, ref interrupted);
    }

    /// <summary>
    /// Report <paramref name="events"/> (see <see cref="InterruptedReportRetry"/>), or, when interrupts cut every
    /// attempt short, hold them again for the timer's report: taken off the held list, they are in no other place, and must not be lost with the report.
    /// </summary>
    void ReportOrHandBack(ILoggingFailureListener listener, List<LogEvent> events, DropReason reason, ref bool interrupted)
    {
        if (TryReport(listener, events, reason, ref interrupted)) return;

        foreach (var logEvent in events)
        {
            Interlocked.Increment(ref _held);
            InterruptDeferral.Enqueue(_dropped, new DroppedEvent(logEvent, reason), ref interrupted);
        }

        // A report by the timer or by ReportPending has disarmed it; a producer's report may find it armed already.
        ArmUnlessArmed(ref interrupted);
    }

    bool TryReport(ILoggingFailureListener listener, List<LogEvent> events, DropReason reason, ref bool interrupted)
    {
        var format = reason switch
        {
            DropReason.QueueFull => "the queue is full; dropped {0} incoming events",
            DropReason.Evicted => "the queue is full; evicted the {0} oldest events",
            _ => "no slot could be had without waiting (the thread freeing it was held up); dropped {0} incoming events",
        };
        var message = string.Format(CultureInfo.InvariantCulture, format, events.Count);
        return InterruptedReportRetry.TryReport(listener, _sender, message, events, ref interrupted);
    }
}
