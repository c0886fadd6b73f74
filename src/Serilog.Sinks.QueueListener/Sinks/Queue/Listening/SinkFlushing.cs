using System.Reflection;
using Serilog.Core;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Finds, once per sink when the listener is built, how to flush it and every sink inside it: a parameterless
/// <c>FlushToDisk()</c>, declared by an interface the sink implements (Serilog.Sinks.File's
/// <c>IFlushableFileSink</c>, which its rolling sink implements explicitly) or public on the sink's class; and, inside
/// Serilog's own wrappers (the aggregate that several sinks under one <c>WriteTo.Queue</c> become, the level-restricted
/// wrapper, a sub-logger), the sinks they wrap.
/// </summary>
/// <remarks>
/// <para>Why by name rather than through an interface of ours: the sinks worth flushing are the file sinks, and they
/// will never reference this package, while this package must depend on Serilog alone. Matching the one method name
/// the Serilog family uses for "write what you buffered" reaches them with no dependency either way, and a sink of
/// the user's own can opt in by declaring the same method.</para>
/// <para>Why Serilog's wrappers are looked into through their fields: Serilog offers no way to list what a wrapper
/// holds. Should a later Serilog hold its sinks some other way, the wrapper is treated as a sink with nothing to
/// flush, as other wrappers are. Serilog's batching sink holds events it cannot be asked to write: a flush that
/// meets one returns <see langword="false"/>.</para>
/// </remarks>
static class SinkFlushing
{
    const string MethodName = "FlushToDisk";

    /// <summary>How deep wrappers are looked into; deeper ones are treated as sinks with nothing to flush.</summary>
    const int DepthLimit = 8;

    static readonly Assembly SerilogAssembly = typeof(ILogEventSink).Assembly;

    /// <summary>
    /// How to flush <paramref name="sink"/> and the sinks inside it.
    /// </summary>
    public static SinkFlusher Find(ILogEventSink sink)
    {
        var flushes = new List<(ILogEventSink, Action)>();
        var unflushable = new List<ILogEventSink>();
        Collect(sink, 0, flushes, unflushable);
        return new SinkFlusher(flushes, unflushable);
    }

    /// <summary>
    /// The sinks that hold events after <c>Emit</c> (<see cref="IHoldingSink"/>): <paramref name="sink"/> itself, or
    /// those inside Serilog's wrappers, looked into as for a flush.
    /// </summary>
    public static IEnumerable<IHoldingSink> FindHolders(ILogEventSink sink) => FindHolders(sink, 0);

    static List<IHoldingSink> FindHolders(ILogEventSink sink, int depth)
    {
        if (sink is IHoldingSink holder) return [holder];
        if (sink.GetType().Assembly != SerilogAssembly || depth >= DepthLimit) return [];

        return WrappedSinks(sink).SelectMany(wrapped => FindHolders(wrapped, depth + 1)).ToList();
    }

    static void Collect(ILogEventSink sink, int depth, List<(ILogEventSink, Action)> flushes, List<ILogEventSink> unflushable)
    {
        if (FlushToDisk(sink) is { } flush)
        {
            flushes.Add((sink, flush));
            return;
        }

        var type = sink.GetType();
        if (type.Assembly != SerilogAssembly || depth >= DepthLimit) return;

        var inner = WrappedSinks(sink).ToList();
        if (inner.Count == 0 && type.Name == "BatchingSink") unflushable.Add(sink);
        foreach (var wrapped in inner)
        {
            Collect(wrapped, depth + 1, flushes, unflushable);
        }
    }

    /// <summary>The sinks a sink of Serilog's own holds in its fields: a sink, an array of them, or a logger (a
    /// sub-logger), whose own sink is looked into in turn.</summary>
    static IEnumerable<ILogEventSink> WrappedSinks(object holder)
    {
        foreach (var field in holder.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
        {
            switch (field.GetValue(holder))
            {
                case ILogEventSink sink:
                    yield return sink;
                    break;
                case ILogEventSink[] sinks:
                    foreach (var each in sinks) yield return each;
                    break;
                case ILogger logger when logger.GetType().Assembly == SerilogAssembly:
                    foreach (var each in WrappedSinks(logger)) yield return each;
                    break;
            }
        }
    }

    static Action? FlushToDisk(ILogEventSink sink)
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
