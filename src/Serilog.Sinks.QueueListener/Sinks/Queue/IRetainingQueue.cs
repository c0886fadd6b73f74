namespace Serilog.Sinks.Queue;

/// <summary>
/// An acknowledging queue over a broker that keeps what it handed out until it is acknowledged, and says where: events
/// taken from it that this listener never writes are not lost but left in the broker for the next consumer. The
/// listener's shutdown reports such events with the queue's words, as <see cref="Serilog.Core.LoggingFailureKind.Temporary"/>
/// and without the events (a fallback sink given them would write them a second time), where it would otherwise report
/// them as not written (see <see cref="UnwrittenEvents"/>).
/// </summary>
/// <remarks>Internal, and implemented by the spool (<see cref="DurableLogEventQueue"/>, which keeps everything after
/// its checkpoint for the next start) and by the Redis transport, which is released with the core at the same
/// version: the core cannot know what a user's broker keeps, so a user's <see cref="IAcknowledgingLogEventQueue"/>
/// keeps the plain report, which never understates a loss.</remarks>
interface IRetainingQueue : IAcknowledgingLogEventQueue
{
    /// <summary>Where the events stay and who takes them up, for a report, as in "they are left pending in the redis
    /// stream logs for group g; the next collector of the group claims them".</summary>
    string WhereUnwrittenEventsStay { get; }
}
