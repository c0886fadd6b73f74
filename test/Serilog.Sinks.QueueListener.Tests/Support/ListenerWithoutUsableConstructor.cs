using Serilog.Sinks.Queue;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A listener subclass that <c>listenerType</c> must reject: it lacks the (queue, sinks) constructor.
/// </summary>
public class ListenerWithoutUsableConstructor(ILogEventQueue queue)
    : Serilog.Sinks.Queue.QueueListener(queue, []);
