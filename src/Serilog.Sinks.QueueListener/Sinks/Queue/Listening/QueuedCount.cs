using System.Globalization;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Says how many events a queue the listener has given up on still holds, for the report: read from
/// <see cref="ILogEventQueue.Count"/>, which a broken user's queue may answer with an exception or a nonsense number
/// as readily as its other members.
/// </summary>
static class QueuedCount
{
    /// <summary>
    /// "50 events", or, when <see cref="ILogEventQueue.Count"/> throws or answers a negative number, words saying that
    /// the number is unknown. Never throws.
    /// </summary>
    public static string Describe(ILogEventQueue queue)
    {
        int count;
        try
        {
            count = queue.Count;
        }
        catch (ThreadInterruptedException)
        {
            // The interrupt was meant for the thread, which is the listener's or one stopping it: keep it for its
            // next wait, as the report that asked must still be made.
            Thread.CurrentThread.Interrupt();
            return "an unknown number of events (the count was interrupted)";
        }
        catch (Exception ex)
        {
            return string.Format(CultureInfo.InvariantCulture, "an unknown number of events (Count threw {0})", ex.GetType());
        }

        return count < 0
            ? string.Format(CultureInfo.InvariantCulture, "an unknown number of events (Count returned {0})", count)
            : string.Format(CultureInfo.InvariantCulture, "{0} events", count);
    }
}
