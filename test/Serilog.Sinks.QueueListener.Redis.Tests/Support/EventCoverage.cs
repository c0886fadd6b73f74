namespace Serilog.Sinks.QueueListener.Redis.Tests.Support;

/// <summary>
/// Which of the events 1..<c>events</c> of each producer have been seen in <see cref="EventLine"/>s, and how often
/// lines repeat one already seen.
/// </summary>
sealed class EventCoverage
{
    readonly int _events;
    readonly Dictionary<string, bool[]> _seen;

    public EventCoverage(IEnumerable<string> producers, int events)
    {
        _events = events;
        _seen = producers.ToDictionary(p => p, _ => new bool[events + 1], StringComparer.Ordinal);
        Missing = _seen.Count * events;
    }

    /// <summary>Lines seen, of known producers and sequences or not.</summary>
    public int Lines { get; private set; }

    /// <summary>Lines of an event already seen.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Events of known producers not seen yet.</summary>
    public int Missing { get; private set; }

    /// <summary>Lines naming a producer or a sequence that was never produced.</summary>
    public List<EventLine> Strangers { get; } = [];

    public void Add(EventLine line)
    {
        Lines++;
        if (!_seen.TryGetValue(line.Producer, out var seen) || line.Sequence < 1 || line.Sequence > _events)
        {
            Strangers.Add(line);
            return;
        }

        if (seen[line.Sequence])
        {
            Duplicates++;
            return;
        }

        seen[line.Sequence] = true;
        Missing--;
    }

    public void AddAll(IEnumerable<EventLine> lines)
    {
        foreach (var line in lines) Add(line);
    }

    /// <summary>The first few runs of events not seen, as "producer/first-last".</summary>
    public List<string> MissingRuns(int count)
    {
        var runs = new List<string>();
        foreach (var (producer, seen) in _seen)
        {
            for (var sequence = 1; sequence <= _events && runs.Count < count; sequence++)
            {
                if (seen[sequence]) continue;
                var first = sequence;
                while (sequence < _events && !seen[sequence + 1]) sequence++;
                runs.Add(first == sequence ? $"{producer}/{first}" : $"{producer}/{first}-{sequence}");
            }
        }

        return runs;
    }
}
