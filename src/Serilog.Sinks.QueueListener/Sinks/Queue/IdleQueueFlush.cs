using System.Globalization;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What a flush answers when no listener is running over the queue, at once rather than after waiting out its
/// timeout for a marker nobody will reach: as Python's <c>queue.join()</c> after <c>stop()</c>, an empty queue has
/// nothing left to write; a queue that still holds events cannot be flushed until a listener is started, which is
/// reported with their number.
/// </summary>
static class IdleQueueFlush
{
    /// <param name="queue">The queue nobody reads now.</param>
    /// <param name="state">Why, as in "the listener was never started".</param>
    /// <param name="sender">Reported as the sender.</param>
    /// <param name="failureListener">Where the reason goes when the flush fails.</param>
    /// <returns>Whether the queue is empty.</returns>
    public static bool Answer(ILogEventQueue queue, string state, object sender, ILoggingFailureListener failureListener)
    {
        int count;
        try
        {
            count = queue.Count;
        }
        catch (Exception ex)
        {
            failureListener.Report(sender, LoggingFailureKind.Temporary,
                $"the flush failed: {state}, and the queue {queue.GetType()} could not tell how many events it holds", null, ex);
            return false;
        }

        if (count == 0) return true;

        failureListener.Report(sender, LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "the flush failed at once: {0} events are queued and {1}; they are written once a listener is started", count, state), null);
        return false;
    }
}
