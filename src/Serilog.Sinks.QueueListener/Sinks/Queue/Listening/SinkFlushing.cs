using System.Reflection;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Finds, once per sink when the listener is built, how to flush it: a parameterless <c>FlushToDisk()</c>, declared
/// by an interface the sink implements (Serilog.Sinks.File's <c>IFlushableFileSink</c>, which its rolling sink
/// implements explicitly) or public on the sink's class.
/// </summary>
/// <remarks>
/// Why by name rather than through an interface of ours: the sinks worth flushing are the file sinks, and they will
/// never reference this package, while this package must depend on Serilog alone. Matching the one method name the
/// Serilog family uses for "write what you buffered" reaches them with no dependency either way, and a sink of
/// the user's own can opt in by declaring the same method. Only sinks the listener holds directly are seen: Serilog
/// hands several sinks configured under one <c>WriteTo.Queue</c> over as one aggregate, and a level-restricted sink
/// as a wrapper, neither of which can be looked into.
/// </remarks>
static class SinkFlushing
{
    const string MethodName = "FlushToDisk";

    /// <summary>
    /// The flush action of <paramref name="sink"/>, or <see langword="null"/> when it has none.
    /// </summary>
    public static Action? Find(ILogEventSink sink)
    {
        var type = sink.GetType();
        foreach (var contract in type.GetInterfaces())
        {
            if (contract.GetMethod(MethodName, Type.EmptyTypes) is { ReturnType: var returned } method && returned == typeof(void))
            {
                // A delegate over the interface method dispatches to the implementation, explicit or not.
                return (Action)Delegate.CreateDelegate(typeof(Action), sink, method);
            }
        }

        var own = type.GetMethod(MethodName, BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null);
        return own is { ReturnType: var ownReturned } && ownReturned == typeof(void)
            ? (Action)Delegate.CreateDelegate(typeof(Action), sink, own)
            : null;
    }
}
