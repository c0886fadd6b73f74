using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A user's queue whose <see cref="EnqueueMarker"/> always throws: no sentinel and no flush marker gets in.
/// </summary>
class MarkerRejectingQueue(LogEventQueue inner) : DelegatingQueue(inner)
{
    public Exception Failure { get; } = new InvalidOperationException("The queue rejected the marker, as it was told to.");

    public override void EnqueueMarker(QueueMarker marker) => throw Failure;
}
