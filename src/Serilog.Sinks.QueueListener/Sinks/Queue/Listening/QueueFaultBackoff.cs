using System.Globalization;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// What the listener thread does when the queue itself fails (a user's <see cref="ILogEventQueue"/> whose
/// <see cref="ILogEventQueue.TryDequeue"/> or <see cref="ILogEventQueue.WaitToDequeue"/> throws, or whose
/// <see cref="ILogEventQueue.TryDequeue"/> returns a count the batch cannot hold): retry with a backoff that doubles
/// from 1 ms, reporting each cause once in a run of failures; after <see cref="GiveUpAfter"/> failures in a row (about
/// half a second of backoff) the fault is taken as permanent and the listener stops, reporting how many events the
/// queue still holds, so that what is still queued can be reclaimed and reported when it is disposed.
/// </summary>
/// <remarks>Used by the listener thread only. The backoff is what bounds a broken queue's cost: a queue that fails
/// at once on every call (a count of -1 costs it nothing) would otherwise have the listener call it, and report it,
/// as fast as a core allows.</remarks>
sealed class QueueFaultBackoff
{
    /// <summary>Failures in a row after which the listener stops: backoffs of 1, 2, 4 … 256 ms, about 0.5 s in
    /// all, between them.</summary>
    public const int GiveUpAfter = 10;

    readonly ILogEventQueue _queue;
    readonly ListenerFailures _reports;

    /// <summary>Set when the listener must end anyway (a shutdown gave up on it); cuts a backoff short.</summary>
    readonly ManualResetEventSlim _endRequested;

    /// <summary>The causes reported in the current run of failures: the same failure on every call is reported once,
    /// a new one (the queue throws after it miscounted, say) once more.</summary>
    readonly HashSet<string> _reportedCauses = new(StringComparer.Ordinal);

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
        if (_failures == 0) return;

        _failures = 0;
        _reportedCauses.Clear();
    }

    /// <summary>
    /// Report the failure as due, then wait out the backoff.
    /// </summary>
    /// <param name="exception">What the queue threw, or what stands for its broken answer.</param>
    /// <param name="failure">What the queue did, in words that follow "the queue {type}": "failed" for an exception,
    /// or the broken answer it gave.</param>
    /// <returns><see langword="false"/> when the listener must stop instead of retrying.</returns>
    public bool WaitToRetry(Exception exception, string failure = "failed")
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

        if (_reportedCauses.Add(string.Join("|", failure, exception.GetType().FullName, exception.Message)))
        {
            _reports.Report(LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
                "the queue {0} {1}; the listener retries with a backoff, and stops after {2} failures in a row", queue, failure, GiveUpAfter),
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
