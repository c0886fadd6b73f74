using System.Diagnostics;
using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Counts the distinct events it receives by their <c>Producer</c> and <c>Sequence</c> properties, the repeats of
/// one already seen, and the longest time without any event arriving; thread-safe.
/// </summary>
sealed class ArrivalSink : ILogEventSink
{
    readonly HashSet<(string Producer, long Sequence)> _seen = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan? _lastArrival;
    TimeSpan _longestGap;
    TimeSpan _longestGapEndedAt;
    int _duplicates;

    public void Emit(LogEvent logEvent)
    {
        var key = (((ScalarValue)logEvent.Properties["Producer"]).Value?.ToString() ?? "",
            Convert.ToInt64(((ScalarValue)logEvent.Properties["Sequence"]).Value, System.Globalization.CultureInfo.InvariantCulture));
        lock (_seen)
        {
            var now = _clock.Elapsed;
            if (_lastArrival is { } last && now - last > _longestGap)
            {
                _longestGap = now - last;
                _longestGapEndedAt = now;
            }

            _lastArrival = now;
            if (!_seen.Add(key)) _duplicates++;
            Monitor.PulseAll(_seen);
        }
    }

    /// <summary>Distinct events received.</summary>
    public int Distinct
    {
        get
        {
            lock (_seen) return _seen.Count;
        }
    }

    /// <summary>Receipts of an event already received.</summary>
    public int Duplicates
    {
        get
        {
            lock (_seen) return _duplicates;
        }
    }

    /// <summary>The longest time between two arrivals, and when it ended (on this sink's clock).</summary>
    public (TimeSpan Gap, TimeSpan EndedAt) LongestGap
    {
        get
        {
            lock (_seen) return (_longestGap, _longestGapEndedAt);
        }
    }

    /// <summary>Now, on this sink's clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Whether <paramref name="producer"/>'s event <paramref name="sequence"/> has arrived.</summary>
    public bool Has(string producer, long sequence)
    {
        lock (_seen) return _seen.Contains((producer, sequence));
    }

    /// <summary>The events of <paramref name="produced"/> (producer, count of events 1..count) not received.</summary>
    public List<string> Missing(IReadOnlyDictionary<string, long> produced, int runs)
    {
        var missing = new List<string>();
        lock (_seen)
        {
            foreach (var (producer, count) in produced)
            {
                for (var sequence = 1L; sequence <= count && missing.Count < runs; sequence++)
                {
                    if (_seen.Contains((producer, sequence))) continue;
                    var first = sequence;
                    while (sequence < count && !_seen.Contains((producer, sequence + 1))) sequence++;
                    missing.Add(first == sequence ? $"{producer}/{first}" : $"{producer}/{first}-{sequence}");
                }
            }
        }

        return missing;
    }

    /// <summary>Wait until <paramref name="done"/> holds or the timeout passes.</summary>
    public bool WaitUntil(Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_seen)
        {
            while (!done())
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_seen, left)) return done();
            }

            return true;
        }
    }
}
