using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>Checks an optional level given at the public edge.</summary>
static class LevelChecks
{
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="level"/> is not a defined level.</exception>
    public static void Validate(LogEventLevel? level, string parameterName)
    {
        if (level is < LogEventLevel.Verbose or > LogEventLevel.Fatal)
        {
            throw new ArgumentOutOfRangeException(parameterName, level, "The level must be Verbose to Fatal, or null for none.");
        }
    }
}
