namespace Serilog.Sinks.Queue;

/// <summary>
/// The held events of one group (one trace, one request), oldest first. Exists only while it holds an event, so
/// that a flood of unique keys leaves no empty groups behind. Listener thread only.
/// </summary>
sealed class HeldGroup
{
    public HeldGroup(object key)
    {
        Key = key;
    }

    public object Key { get; }

    public HeldEvent? First { get; private set; }

    HeldEvent? _last;

    public void Append(HeldEvent held)
    {
        if (_last is null) First = held;
        else _last.NextInGroup = held;
        _last = held;
    }

    /// <summary>Take the oldest event off the group; the caller lets it go.</summary>
    /// <returns>Whether the group is empty now.</returns>
    public bool RemoveFirst()
    {
        var first = First!;
        First = first.NextInGroup;
        first.NextInGroup = null;
        if (First is null) _last = null;
        return First is null;
    }
}
