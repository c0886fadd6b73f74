using System.Reflection;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Creates the listener of <c>WriteTo.Queue</c>: a <see cref="QueueListener"/>, or the subclass named by
/// <c>listenerType</c>, which is checked when the logger is configured rather than when the first event arrives.
/// </summary>
static class ListenerActivation
{
    static readonly Type[] ConstructorParameters = [typeof(ILogEventQueue), typeof(IEnumerable<ILogEventSink>)];

    /// <summary>
    /// Wrap a user's factory so that what it returns is checked: a listener, over the queue it was given.
    /// </summary>
    public static Func<ILogEventQueue, IEnumerable<ILogEventSink>, QueueListener> FromFactory(
        Func<ILogEventQueue, IEnumerable<ILogEventSink>, QueueListener> factory) =>
        (queue, sinks) =>
        {
            var listener = factory(queue, sinks)
                ?? throw new InvalidOperationException("The listener factory returned null.");
            if (!ReferenceEquals(listener.Queue, queue))
            {
                throw new InvalidOperationException("The listener factory must return a listener over the queue it was given.");
            }

            if (listener.IsRunning)
            {
                throw new InvalidOperationException("The listener factory must return a listener that is not running: WriteTo.Queue starts it.");
            }

            return listener;
        };

    public static Func<ILogEventQueue, IEnumerable<ILogEventSink>, QueueListener> Resolve(Type? listenerType, string parameterName)
    {
        if (listenerType is null || listenerType == typeof(QueueListener))
        {
            return (queue, sinks) => new QueueListener(queue, sinks);
        }

        if (!typeof(QueueListener).IsAssignableFrom(listenerType) || listenerType.IsAbstract || listenerType.ContainsGenericParameters)
        {
            throw new ArgumentException(
                $"The listener type {listenerType} must be a concrete class derived from {typeof(QueueListener)}.",
                parameterName);
        }

        var constructor = listenerType.GetConstructor(ConstructorParameters)
            ?? throw new ArgumentException(
                $"The listener type {listenerType} must have a public constructor ({nameof(ILogEventQueue)}, IEnumerable<{nameof(ILogEventSink)}>).",
                parameterName);

        return (queue, sinks) =>
        {
            try
            {
                return (QueueListener)constructor.Invoke([queue, sinks]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw new InvalidOperationException($"The constructor of the listener type {listenerType} threw.", ex.InnerException);
            }
        };
    }
}
