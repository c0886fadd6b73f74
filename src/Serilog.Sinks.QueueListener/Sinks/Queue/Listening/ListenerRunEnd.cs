namespace Serilog.Sinks.Queue;

/// <summary>What the listener thread does when its loop ends; see <see cref="ListenerRunState.TryEndRun"/>.</summary>
enum ListenerRunEnd
{
    /// <summary>The run is over; the listener may be started again.</summary>
    Ended,

    /// <summary>The listener was disposed while this run stopped at an earlier sentinel: drain on to the final one.</summary>
    KeepDraining,

    /// <summary>The last run is over: reclaim what is left and dispose the sinks.</summary>
    Final,
}
