using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The markers waiting in a <see cref="LogEventQueue"/>, each pinned to the queue position it stands before.
/// Markers are rare (a stop, a flush), so they live beside the ring under a lock rather than in it; that is what
/// lets a marker pass a full queue without waiting and without taking an event's place. Neither adding nor taking
/// is cut short by an interrupt (see <see cref="InterruptDeferral"/>).
/// </summary>
sealed class QueueMarkerList
{
    /// <summary>Guards <see cref="_markers"/>; taken only to add or take a marker.</summary>
    readonly object _sync = new();

    /// <summary>Markers in position order (positions never decrease, because each is read under the lock).</summary>
    readonly Queue<(long Position, QueueMarker Marker)> _markers = new();

    /// <summary>
    /// The position of the first marker, or <see cref="long.MaxValue"/> when there is none. Written under the lock;
    /// read without it by consumers on every batch, which is safe because a stale value only delays the marker to
    /// the next batch (and a newly added marker wakes the listener, which reads it again).
    /// </summary>
    long _nextPosition = long.MaxValue;

    public long NextPosition => Volatile.Read(ref _nextPosition);

    /// <summary>
    /// Pin <paramref name="marker"/> to the position <paramref name="readPosition"/> returns, read under the lock
    /// so that markers stay in order.
    /// </summary>
    public void Add(QueueMarker marker, Func<long> readPosition)
    {
        var interrupted = InterruptDeferral.Enter(_sync);
        try
        {
            var position = readPosition();
            _markers.Enqueue((position, marker));
            if (_markers.Count == 1)
            {
                // A full fence: the caller reads ListenerParked next, and the parking listener reads this field
                // after setting ListenerParked, so at least one of the two sees the other.
                Interlocked.Exchange(ref _nextPosition, position);
            }

            AssertInvariants();
        }
        finally
        {
            Monitor.Exit(_sync);
            InterruptDeferral.Restore(interrupted);
        }
    }

    /// <summary>
    /// Take the first marker when every event before it has been claimed (<paramref name="dequeuePosition"/> has
    /// reached its position). Several consumers may race here; the lock gives each marker to exactly one.
    /// </summary>
    public bool TryTake(long dequeuePosition, out QueueMarker? marker)
    {
        var interrupted = InterruptDeferral.Enter(_sync);
        try
        {
            if (_markers.Count == 0 || _markers.Peek().Position > dequeuePosition)
            {
                marker = null;
                return false;
            }

            marker = _markers.Dequeue().Marker;
            Volatile.Write(ref _nextPosition, _markers.Count == 0 ? long.MaxValue : _markers.Peek().Position);
            AssertInvariants();
            return true;
        }
        finally
        {
            Monitor.Exit(_sync);
            InterruptDeferral.Restore(interrupted);
        }
    }

    [Conditional("DEBUG")]
    void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_sync));
        Debug.Assert(_markers.Count == 0 ? _nextPosition == long.MaxValue : _nextPosition == _markers.Peek().Position);
    }
}
