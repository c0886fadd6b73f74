using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue whose <see cref="WaitToDequeue"/> throws <see cref="Failure"/> while <see cref="Failing"/> is set,
/// as a queue over a lost connection would while there is nothing to dequeue; its <see cref="DelegatingQueue.TryDequeue"/>
/// works all along.
/// </summary>
class WaitFailingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    volatile bool _failing;

    public Exception Failure { get; } = new IOException("The queue failed to wait, as it was told to.");

    /// <summary>Throw on every wait while set.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public override bool WaitToDequeue(TimeSpan timeout)
    {
        if (_failing) throw Failure;
        return base.WaitToDequeue(timeout);
    }
}
