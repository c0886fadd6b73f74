using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Tells a queue that wants to know (<see cref="IAcknowledgingLogEventQueue"/>) that the batch it handed over has been
/// written, after each batch, once the sinks that hold events have written theirs (see
/// <see cref="IHoldingSink.WaitUntilWritten"/>); a queue that throws is reported, and the listener goes on.
/// </summary>
static class BatchAcknowledgement
{
    /// <param name="queue">The listener's queue, when it takes acknowledgements; otherwise <see langword="null"/>,
    /// and nothing is done.</param>
    /// <param name="sinks">The listener's sinks, some of which may hold events of the batch in memory.</param>
    /// <param name="failures">Where a failure of the queue is reported.</param>
    public static void Send(IAcknowledgingLogEventQueue? queue, ListenerSinks sinks, ListenerFailures failures)
    {
        if (queue is null) return;

        // An event a sink only holds in memory (a batch on its way to Redis) is not written yet: acknowledged, the queue
        // would not have it for the next start should the process die now. Handed back at a shutdown that gave up,
        // the batch stays unacknowledged in the queue.
        if (!sinks.WaitUntilHeldWritten()) return;

        try
        {
            queue.Acknowledge();
        }
        catch (Exception ex)
        {
            failures.Report(LoggingFailureKind.Temporary,
                $"the queue {queue.GetType()} failed to take the acknowledgement of a batch", null, ex);
        }
    }
}
