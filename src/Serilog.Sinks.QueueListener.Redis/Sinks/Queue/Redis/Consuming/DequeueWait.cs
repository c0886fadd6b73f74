using System.Diagnostics.CodeAnalysis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// A <see cref="RedisStreamQueue"/>'s <c>WaitToDequeue</c>: wait until something read can be dequeued, reading the
/// stream when nothing read is waiting and a read is due (see <see cref="PollingSchedule"/>), until the timeout
/// passes or a marker arrives.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="Wait"/> on the listener's thread, which is the only user of the schedule;
/// <see cref="Wake"/> on any thread that adds a marker (a flush, a stop). The one shared field is
/// <see cref="_wake"/>, an event: the waiting thread resets it before it looks at what was read, so a marker added
/// after the look still ends the wait, and one added before it is seen by the look.</para>
/// <para>While Redis cannot be reached, the read is tried again every poll interval (see
/// <see cref="ReadOutage"/>).</para>
/// </remarks>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The event is never disposed, so that a marker added after the queue's disposal (a late flush) does not throw; its handle goes with its finalizer.")]
sealed class DequeueWait
{
    readonly RedisConnection _connection;
    readonly ReadEntries _entries;
    readonly ShardedIntake _intake;
    readonly Acknowledgements _acknowledgements;
    readonly PollingSchedule _schedule;

    /// <summary>Set by <see cref="Wake"/> to cut short a wait between polls.</summary>
    readonly ManualResetEventSlim _wake = new(false);

    public DequeueWait(RedisConnection connection, ReadEntries entries, ShardedIntake intake, Acknowledgements acknowledgements,
        PollingSchedule schedule)
    {
        _connection = connection;
        _entries = entries;
        _intake = intake;
        _acknowledgements = acknowledgements;
        _schedule = schedule;
    }

    /// <summary>End a wait under way, or the next one: a marker was added.</summary>
    public void Wake() => _wake.Set();

    /// <inheritdoc cref="ILogEventQueue.WaitToDequeue"/>
    public bool Wait(TimeSpan timeout)
    {
        var infinite = timeout == Timeout.InfiniteTimeSpan;
        var deadline = infinite ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            _wake.Reset();

            // Entries found unreadable when the listener came to them wait for no batch: acknowledged here; so are
            // written ones whose acknowledgement failed, again, while the stream is idle. Not while Redis is out of
            // reach: the acknowledgement would fail again, and the trim after it would wait out its timeout.
            if (_entries.Backlog.HasUnwritable && !_intake.IsOutageUnderWay) _acknowledgements.AcknowledgeUnwritable();
            if (_entries.HasItems) return true;

            var pollInterval = _schedule.PollInterval;
            if (!_connection.Connecting.IsCompleted)
            {
                // The first attempt to connect is still under way (see RedisConnection); a marker ends the wait, as
                // between polls.
                var waitLeft = infinite ? pollInterval : deadline - DateTime.UtcNow;
                if (waitLeft <= TimeSpan.Zero) return false;
                WaitHandle.WaitAny([((IAsyncResult)_connection.Connecting).AsyncWaitHandle, _wake.WaitHandle],
                    waitLeft < pollInterval ? waitLeft : pollInterval);
                if (_entries.HasItems) return true;
                continue;
            }

            if (_schedule.IsReadDue)
            {
                if (_intake.TryRead())
                {
                    _schedule.Found();
                    return true;
                }

                // Idle: trim what was acknowledged since the last trim, so that producers waiting for room in a full
                // stream do not wait for the next batch, which only they can send.
                _acknowledgements.TrimIfDue();
                _schedule.FoundNothing();
            }

            var untilRead = _schedule.UntilRead;
            if (untilRead <= TimeSpan.Zero) continue;

            var left = infinite ? untilRead : deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;

            // Whole milliseconds, rounded up: a wait converts a timeout to them rounding down, and a remainder under
            // a millisecond would return at once, again and again, until the read is due.
            _wake.Wait((int)Math.Ceiling((left < untilRead ? left : untilRead).TotalMilliseconds));
        }
    }
}
