using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

// What the rest of the package reads and calls on a QueueListener: the owning sink (its shutdown, reclaim and
// failure summary), WriteTo.Queue (the level-aware stage), the health check and the metrics. Why the class is
// partial is said in QueueListener.cs.
public partial class QueueListener
{
    /// <summary>Set once a failure of the queue to answer a metrics collection has been reported; interlocked.</summary>
    int _metricsFailureReported;

    /// <summary>What the built-in queue offers beyond <see cref="ILogEventQueue"/>, or <see langword="null"/> for a
    /// user's queue.</summary>
    internal IBuiltInQueue? BuiltInQueue => _builtIn;

    /// <summary>
    /// <see langword="true"/> once the listener thread will take nothing more off the queue: it has ended, or it was
    /// abandoned by a shutdown that timed out. Only then may another party reclaim what is left in the queue.
    /// </summary>
    /// <remarks>Not merely "not running": a stopped listener that is being disposed has a final run ahead of it,
    /// which drains the queue itself.</remarks>
    internal bool HasStoppedConsuming => _loop.HasStoppedConsuming;

    /// <summary>Where the listener is in its life, for a health check.</summary>
    internal QueueListenerState State => _runState.State(_loop.IsAbandoned);

    /// <summary>Whether the listener has ever been started.</summary>
    internal bool HasEverStarted => _runState.HasEverStarted;

    /// <summary>The number of runs started so far, to tell one stop from the next.</summary>
    internal int Runs => _runState.Runs;

    /// <summary>The <c>queue.name</c> tag this run reports under. Its key never changes, so a read racing a restart
    /// sees either name, never a mix.</summary>
    internal KeyValuePair<string, object?> NameTag => _runState.NameTag;

    /// <summary>Times a sink (or an override of <see cref="Handle"/>) failed on an event.</summary>
    internal long SinkFailureCount => _sinks.FailureCount;

    /// <summary>Report, the first time only, that the queue threw while a metrics collection read it: a collector
    /// reads every few seconds, and each read of a broken queue would fail again.</summary>
    internal void ReportMetricsFailure(Exception exception)
    {
        if (Interlocked.Exchange(ref _metricsFailureReported, 1) != 0) return;

        _failures.Report(LoggingFailureKind.Temporary,
            $"the queue {_queue.GetType()} threw while the metrics read it; it is left out of each collection it fails, and later failures are not reported",
            null, exception);
    }

    /// <summary>
    /// Hold events until a trigger (<paramref name="hold"/>), and flush the sinks after an event at or above
    /// <paramref name="flushAtLevel"/>; called by <c>WriteTo.Queue</c> before <see cref="Start"/>.
    /// </summary>
    internal void ConfigureLevelAware(HoldOptions? hold, LogEventLevel? flushAtLevel) =>
        _levelAware = LevelAwareOutput.Create(_sinks, _failures, hold, flushAtLevel);

    /// <summary>Events held now by <see cref="HoldOptions"/>; 0 when nothing is held.</summary>
    internal int HeldCount => _levelAware?.HeldCount ?? 0;

    /// <summary>Held events let go without being written; 0 when nothing is held.</summary>
    internal long LetGoCount => _levelAware?.LetGoCount ?? 0;

    /// <summary>Whether events are held, for the metrics, which leave the two counts out otherwise.</summary>
    internal bool Holds => _levelAware?.Holds ?? false;

    /// <summary>When failures went to no listener of the application's own, sum them up on standard error (see
    /// <see cref="StandardErrorReports"/>): at the end of the listener's disposal, or of its owning sink's, which
    /// passes its failure listener on to it.</summary>
    internal void SummarizeFailures()
    {
        if (ReferenceEquals(_failureListener, SelfLog.FailureListener))
        {
            StandardErrorReports.Summarize(Name, HandledCount, SinkFailureCount, DroppedCountOrZero());
        }
    }

    /// <summary>The queue's drop count, or zero from a user's queue that cannot say.</summary>
    long DroppedCountOrZero()
    {
        try
        {
            return _queue.DroppedCount;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    /// <inheritdoc cref="ListenerShutdown.Shutdown"/>
    internal bool Shutdown(TimeSpan timeout) => _shutdown.Shutdown(timeout);

    /// <inheritdoc cref="ListenerShutdown.Shutdown"/>
    internal Task<bool> ShutdownAsync(TimeSpan timeout) => _shutdown.ShutdownAsync(timeout);

    /// <inheritdoc cref="LeftoverReclaimer.Reclaim"/>
    internal void ReclaimLeftovers(string reason) => _reclaimer.Reclaim(reason);
}
