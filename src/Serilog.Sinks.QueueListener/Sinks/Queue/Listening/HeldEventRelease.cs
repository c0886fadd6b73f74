using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The sinks of a listener that hold events after <c>Emit</c> returned (<see cref="IHoldingSink"/>), found once when
/// the listener is built, as <see cref="SinkFlushing"/> finds what to flush; and the one thing done to them: when a
/// shutdown gives up on the listener thread, take back what they hold and report it.
/// </summary>
/// <remarks>
/// Why the shutdown takes it rather than leaving it to the sink: a sink that holds events because its destination is
/// away is the sink the listener thread is stuck in, so its own disposal (which would send or report them) runs late
/// or never, and the process may end first. The shutdown is the one party that knows it has given up, and reports
/// on a thread that is not stuck.
/// </remarks>
sealed class HeldEventRelease
{
    readonly IHoldingSink[] _holders;

    /// <summary>The prepared event being handed to the sinks, when there are holders: the copy a sink holds when the
    /// listener prepares events, which the event the listener dequeued is not. Written by the listener thread,
    /// read by the shutdown after it gave up; a stale read only makes the in-flight event reported as "may or may not
    /// be written" as well as held, which is how a listener without holders reports it.</summary>
    LogEvent? _emitting;

    public HeldEventRelease(IEnumerable<ILogEventSink> sinks)
    {
        _holders = [.. sinks.SelectMany(SinkFlushing.FindHolders).Distinct()];
    }

    /// <summary>Whether any sink holds events; when not, nothing here costs anything on the listener's path.</summary>
    public bool Any => _holders.Length > 0;

    /// <summary>Called by the listener thread around handing <paramref name="prepared"/> to the sinks
    /// (<see langword="null"/> after), only when <see cref="Any"/>.</summary>
    public void Emitting(LogEvent? prepared) => Volatile.Write(ref _emitting, prepared);

    /// <summary>
    /// Wait until each holding sink has written what it was handed (see <see cref="IHoldingSink.WaitUntilWritten"/>),
    /// before the listener acknowledges a batch; on the listener thread, only when <see cref="Any"/>.
    /// </summary>
    /// <returns><see langword="false"/> when a sink handed events back, or failed: the batch must stay
    /// unacknowledged.</returns>
    public bool WaitUntilWritten(ListenerFailures failures)
    {
        var written = true;
        foreach (var holder in _holders)
        {
            try
            {
                if (!holder.WaitUntilWritten()) written = false;
            }
            catch (Exception ex)
            {
                failures.Report(LoggingFailureKind.Permanent,
                    $"the sink {holder} failed while the listener waited for it to write what it holds; the batch is left unacknowledged in the queue", null, ex);
                written = false;
            }
        }

        return written;
    }

    /// <summary>
    /// Take back what each holding sink holds and report it, once per sink that held any. Called by the shutdown that
    /// gave up, after abandoning the listener thread.
    /// </summary>
    /// <param name="failures">Where to report.</param>
    /// <param name="queue">The listener's queue: one that keeps what it handed out until it is acknowledged
    /// (<see cref="IRetainingQueue"/>) still has every event a sink holds, since a batch is acknowledged only once its
    /// holders have written it (see <see cref="WaitUntilWritten"/>), and they are reported as kept there.</param>
    /// <param name="reason">Why the shutdown gave up.</param>
    /// <param name="inFlight">The event the listener thread was writing, as it was dequeued.</param>
    /// <returns>Whether a sink handed back <paramref name="inFlight"/> (or its prepared copy): it is then reported
    /// here, and must not be reported again as possibly written.</returns>
    public bool Release(ListenerFailures failures, ILogEventQueue queue, string reason, LogEvent? inFlight)
    {
        var emitting = Volatile.Read(ref _emitting);
        var inFlightReleased = false;
        foreach (var holder in _holders)
        {
            IReadOnlyCollection<LogEvent> held;
            try
            {
                held = holder.ReleaseHeld();
            }
            catch (Exception ex)
            {
                failures.Report(LoggingFailureKind.Permanent, $"the sink {holder} failed to hand back the events it holds", null, ex);
                continue;
            }

            if (held.Count == 0) continue;

            foreach (var logEvent in held)
            {
                if (inFlight is not null && (ReferenceEquals(logEvent, inFlight) || ReferenceEquals(logEvent, emitting)))
                {
                    inFlightReleased = true;
                }
            }

            UnwrittenEvents.Report(failures, queue, reason,
                string.Format(CultureInfo.InvariantCulture, "events held by the sink {0}, which had not written them,", holder), held);
        }

        return inFlightReleased;
    }
}
