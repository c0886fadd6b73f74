using Serilog.Events;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue whose <see cref="TryDequeue"/> throws <see cref="Failure"/> (the same instance every time) on the
/// next few calls, or on every call while <see cref="Failing"/> is set; otherwise it works.
/// </summary>
class DequeueFailingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    int _failuresLeft;
    int _failedCalls;
    volatile bool _failing;

    public Exception Failure { get; } = new IOException("The queue failed to dequeue, as it was told to.");

    /// <summary>Throw on every call while set.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>How many calls have thrown.</summary>
    public int FailedCalls => Volatile.Read(ref _failedCalls);

    /// <summary>Throw on the next <paramref name="calls"/> calls, then work again.</summary>
    public void FailNextCalls(int calls) => Volatile.Write(ref _failuresLeft, calls);

    public override int TryDequeue(LogEvent[] batch, out QueueMarker? marker)
    {
        if (_failing || TakeFailure())
        {
            Interlocked.Increment(ref _failedCalls);
            throw Failure;
        }

        return base.TryDequeue(batch, out marker);
    }

    bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failuresLeft);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failuresLeft, left - 1, left) == left) return true;
        }
    }
}
