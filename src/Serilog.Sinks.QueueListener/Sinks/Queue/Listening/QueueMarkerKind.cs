namespace Serilog.Sinks.Queue;

/// <summary>
/// What the listener does when it reaches a <see cref="QueueMarker"/>.
/// </summary>
enum QueueMarkerKind
{
    /// <summary>Nothing: the marker only records that the listener got this far.</summary>
    Plain,

    /// <summary>Flush the sinks that can be flushed, then go on.</summary>
    Flush,

    /// <summary>Stop: the listener thread ends after this marker (Python's sentinel).</summary>
    Sentinel,

    /// <summary>Handle the event the marker carries: an event logged on a listener thread into a full queue, which
    /// the marker carries past the capacity rather than wait (see <see cref="QueueSink"/>).</summary>
    Event,
}
