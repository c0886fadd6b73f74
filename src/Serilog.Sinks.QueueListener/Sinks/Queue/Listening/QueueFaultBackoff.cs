using System.Globalization;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What the listener thread does when the queue itself fails (a user's <see cref="ILogEventQueue"/> whose
/// <see cref="ILogEventQueue.TryDequeue"/> or <see cref="ILogEventQueue.WaitToDequeue"/> throws): retry with a
/// backoff that doubles from 1 ms, reporting the first failure of a run of them; after
/// <see cref="GiveUpAfter"/> failures in a row (about half a second of backoff) the fault is taken as permanent and the
/// listener stops, reporting how many events the queue still holds, so that what is still queued can be reclaimed
/// and reported when it is disposed.
/// </summary>
/// <remarks>Used by the listener thread only.</remarks>
sealed class QueueFaultBackoff
{
    /// <summary>Failures in a row after which the listener stops: backoffs of 1, 2, 4 … 256 ms, about 0.5 s in
    /// all, between them.</summary>
    public const int GiveUpAfter = 10;

    readonly ILogEventQueue _queue;
    readonly ListenerFailures _reports;

    /// <summary>Set when the listener must end anyway (a shutdown gave up on it); cuts a backoff short.</summary>
    readonly ManualResetEventSlim _endRequested;

    int _failures;

    /// <param name="queue">The listener's queue.</param>
    /// <param name="reports">Where the failures are reported, with the listener as the sender.</param>
    /// <param name="endRequested">Cuts a backoff short.</param>
    public QueueFaultBackoff(ILogEventQueue queue, ListenerFailures reports, ManualResetEventSlim endRequested)
    {
        _queue = queue;
        _reports = reports;
        _endRequested = endRequested;
    }

    /// <summary>The queue answered: a later failure starts a new run.</summary>
    public void Succeeded()
    {
        if (_failures != 0) _failures = 0;
    }

    /// <summary>
    /// Report the failure as due, then wait out the backoff.
    /// </summary>
    /// <returns><see langword="false"/> when the listener must stop instead of retrying.</returns>
    public bool WaitToRetry(Exception exception)
    {
        _failures++;
        var queue = _queue.GetType();
        if (_failures >= GiveUpAfter)
        {
            _reports.Report(LoggingFailureKind.Final, string.Format(CultureInfo.InvariantCulture,
                "the queue {0} failed {1} times in a row; the listener stops with {2} still queued, which are reclaimed and reported when it is disposed",
                queue, _failures, QueuedCount.Describe(_queue)), null, exception);
            return false;
        }

        if (_failures == 1)
        {
            _reports.Report(LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
                "the queue {0} failed; the listener retries with a backoff, and stops after {1} failures in a row", queue, GiveUpAfter),
                null, exception);
        }

        try
        {
            return !_endRequested.Wait(1 << (_failures - 1));
        }
        catch (ThreadInterruptedException)
        {
            return true;
        }
    }
}
