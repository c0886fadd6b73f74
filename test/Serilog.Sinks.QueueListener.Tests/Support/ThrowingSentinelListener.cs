using Serilog.Core;
using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener whose <see cref="EnqueueSentinel"/> throws, so that stopping it (and disposing a sink that owns it)
/// throws.
/// </summary>
class ThrowingSentinelListener(ILogEventQueue queue, params ILogEventSink[] sinks)
    : Serilog.Sinks.Queue.QueueListener(queue, sinks)
{
    protected override void EnqueueSentinel() => throw new InvalidOperationException("The sentinel failed, as it was told to.");
}
