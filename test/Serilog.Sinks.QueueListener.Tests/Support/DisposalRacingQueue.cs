using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue that stages one producer racing the disposal of a sink whose listener is stopped: the racer's
/// <see cref="Enqueue"/> returns just after disposal has begun (it waits for the shutdown token the sink passes);
/// the reclaim the racer then runs is held until the final run's sentinel is queued; and the final run's listener
/// thread is held (as if descheduled) until that reclaim is over. Every wait is bounded.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The signals live as long as the test.")]
sealed class DisposalRacingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    readonly ManualResetEventSlim _racerWaiting = new(false);
    readonly ManualResetEventSlim _disposalBegun = new(false);
    readonly ManualResetEventSlim _reclaimEntered = new(false);
    readonly ManualResetEventSlim _sentinelQueued = new(false);
    readonly ManualResetEventSlim _reclaimOver = new(false);
    int _racerThread = -1;

    /// <summary>The event whose enqueue races the disposal.</summary>
    public LogEvent? Racer { get; set; }

    public bool WaitUntilRacerWaits(TimeSpan timeout) => _racerWaiting.Wait(timeout);

    public bool ReclaimEntered => _reclaimEntered.IsSet;

    public override bool Enqueue(LogEvent logEvent, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(logEvent, Racer)) return base.Enqueue(logEvent, cancellationToken);

        Volatile.Write(ref _racerThread, Environment.CurrentManagedThreadId);

        // Runs on the disposing thread, inside the sink's BeginDispose, once _disposed is set.
        cancellationToken.Register(() =>
        {
            _disposalBegun.Set();

            // Give the racer's reclaim, if it makes one, the chance to run before the final run starts.
            _reclaimEntered.Wait(TimeSpan.FromMilliseconds(200));
        });
        _racerWaiting.Set();
        _disposalBegun.Wait(Bound, CancellationToken.None);
        return base.Enqueue(logEvent, CancellationToken.None);
    }

    public override void EnqueueMarker(QueueMarker marker)
    {
        base.EnqueueMarker(marker);
        if (_reclaimEntered.IsSet) _sentinelQueued.Set();
    }

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _racerThread))
        {
            if (!_reclaimEntered.IsSet)
            {
                _reclaimEntered.Set();
                _sentinelQueued.Wait(Bound);
            }

            var count = base.TryDequeue(batch, out marker);
            if (count == 0 && marker is null) _reclaimOver.Set();
            return count;
        }

        if (_reclaimEntered.IsSet) _reclaimOver.Wait(Bound);
        return base.TryDequeue(batch, out marker);
    }
}
