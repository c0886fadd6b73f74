using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The synchronous door of a sync/async pair written once: the pair's core, told to wait synchronously, awaits only
/// what is already complete, so its result is there when it returns.
/// </summary>
static class SynchronousDoor
{
    /// <summary>The result of a core that ran synchronously; should one ever not have, this still waits for it rather
    /// than read a result that is not there.</summary>
    public static T Result<T>(ValueTask<T> core)
    {
        Debug.Assert(core.IsCompleted, "a core told to wait synchronously awaited something that was not complete");
        return core.IsCompleted ? core.Result : core.AsTask().GetAwaiter().GetResult();
    }
}
