using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Tells a queue that wants to know (<see cref="IAcknowledgingLogEventQueue"/>) that the batch it handed over has been
/// written, after each batch; a queue that throws is reported, and the listener goes on.
/// </summary>
static class BatchAcknowledgement
{
    /// <param name="queue">The listener's queue, when it takes acknowledgements; otherwise <see langword="null"/>,
    /// and nothing is done.</param>
    /// <param name="failures">Where a failure of the queue is reported.</param>
    public static void Send(IAcknowledgingLogEventQueue? queue, ListenerFailures failures)
    {
        if (queue is null) return;

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
