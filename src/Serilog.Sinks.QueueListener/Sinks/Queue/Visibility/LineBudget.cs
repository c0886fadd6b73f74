using System.Diagnostics;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Bounds the lines <see cref="StandardErrorReports"/> writes as failures happen: at most <see cref="Burst"/> lines
/// at once and <see cref="LinesPerSecond"/> a second after that, whatever the rate of failures. Used under the
/// caller's lock.
/// </summary>
/// <remarks>A token bucket kept as one time stamp (the generic cell rate algorithm): each line moves
/// <see cref="_nextFree"/> on by one line's worth of time, and a line is allowed while that stays within a burst's
/// worth ahead of now.</remarks>
sealed class LineBudget
{
    public const int Burst = 5;
    public const int LinesPerSecond = 2;

    static readonly long TicksPerLine = Stopwatch.Frequency / LinesPerSecond;

    /// <summary>When the budget would be back to full had no line been written since; never behind now by the time
    /// it is used.</summary>
    long _nextFree;

    /// <summary>Take a line from the budget, if one is left at <paramref name="now"/> (a <see cref="Stopwatch"/>
    /// time stamp).</summary>
    public bool TryTake(long now)
    {
        var next = Math.Max(_nextFree, now) + TicksPerLine;
        if (next - now > Burst * TicksPerLine) return false;

        _nextFree = next;
        return true;
    }
}
