using System.Reflection;
using Serilog.Debugging;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Whether the application has enabled <see cref="SelfLog"/>, as far as this package can tell.
/// </summary>
/// <remarks>
/// Serilog offers no public way to ask, so its private output field is read. Should a later Serilog keep its output
/// some other way, the answer is "not enabled": a failure is then shown on standard error even where SelfLog also
/// shows it, which is the side to err on.
/// </remarks>
static class SelfLogState
{
    static readonly FieldInfo? Output = typeof(SelfLog).GetField("_output", BindingFlags.Static | BindingFlags.NonPublic);

    /// <summary>Whether <see cref="SelfLog.Enable(TextWriter)"/> (or its other overload) is in force.</summary>
    public static bool IsEnabled
    {
        get
        {
            try
            {
                return Output?.GetValue(null) is not null;
            }
            catch (Exception)
            {
                return false;
            }
        }
    }
}
