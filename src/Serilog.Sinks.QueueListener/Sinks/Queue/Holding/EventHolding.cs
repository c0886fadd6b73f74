using System.Diagnostics;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// The listener's side of <see cref="HoldOptions"/>: holds events below the level, writes a group's held events when
/// its trigger arrives, and lets events go at the limit, at the age limit and, if asked, at disposal.
/// </summary>
/// <remarks>
/// <para>Every member but the two counters runs on the listener thread, so the lists need no lock. Each held event
/// leaves exactly once, by one of three doors: <see cref="WriteGroup"/> and <see cref="Close"/> write it, or let it
/// go and count it (<see cref="LetGo"/> too), or <see cref="Close"/> hands it back to be reported when the shutdown
/// gave up. Each unlinks it first, so nothing can take it a second time.</para>
/// <para>Memory: a held event costs one <see cref="HeldEvent"/> beside the event itself, and a group exists only
/// while it holds an event, so events, links and groups are each at most <see cref="HoldOptions.Limit"/>, however
/// many keys come and go. (The dictionary keeps the room of its largest size, which that limit also bounds.)</para>
/// </remarks>
sealed class EventHolding
{
    readonly Action<LogEvent> _write;
    readonly HoldKey _key;
    readonly LogEventLevel _below;
    readonly LogEventLevel _until;
    readonly int _limit;
    readonly long _maxAgeTicks;
    readonly bool _writeOnClose;
    readonly Dictionary<object, HeldGroup> _groups = [];

    /// <summary>The ends of the list of all held events, oldest first, whatever their group.</summary>
    HeldEvent? _oldest, _newest;

    /// <summary>Events held now. Written by the listener thread only, with a volatile write after each change; read
    /// by any thread (a handle, a metrics collection).</summary>
    int _heldCount;

    /// <summary>Events let go without being written; written and read as <see cref="_heldCount"/>.</summary>
    long _letGoCount;

    /// <param name="options">What to hold and for how long.</param>
    /// <param name="write">Writes an event to the sinks.</param>
    public EventHolding(HoldOptions options, Action<LogEvent> write)
    {
        _write = write;
        _key = new HoldKey(options.Per);
        _below = options.Below;
        _until = options.Until;
        _limit = options.Limit;
        _maxAgeTicks = (long)(options.MaxAge.TotalSeconds * Stopwatch.Frequency);
        _writeOnClose = options.WriteOnClose;
    }

    /// <summary>Events held now.</summary>
    public int HeldCount => Volatile.Read(ref _heldCount);

    /// <summary>Events let go without being written: past the limit, past the age limit, or at disposal.</summary>
    public long LetGoCount => Volatile.Read(ref _letGoCount);

    /// <summary>Hold <paramref name="logEvent"/>, or write it, after its group's held events when it is a
    /// trigger.</summary>
    public void Handle(LogEvent logEvent)
    {
        var now = Stopwatch.GetTimestamp();
        LetGoOlderThan(now);
        if (logEvent.Level < _below)
        {
            Hold(logEvent, now);
            return;
        }

        if (logEvent.Level >= _until && _oldest is not null) WriteGroup(_key.Of(logEvent));
        _write(logEvent);
    }

    /// <summary>Called when the listener finds the queue empty: held events age while nothing arrives too.</summary>
    public void Idle()
    {
        if (_oldest is not null) LetGoOlderThan(Stopwatch.GetTimestamp());
    }

    /// <summary>At disposal: write every held event, oldest first, or let them all go, as the options say.</summary>
    /// <param name="abandoned">Whether the shutdown gave up on the listener: then the events that were to be
    /// written are returned instead, for the caller to report as not written.</param>
    /// <returns>The held events that were to be written but were not; empty unless <paramref name="abandoned"/>.</returns>
    public List<LogEvent> Close(bool abandoned)
    {
        var notWritten = new List<LogEvent>();
        while (_oldest is { } held)
        {
            Unlink(held);
            if (held.Group.RemoveFirst()) _groups.Remove(held.Group.Key);
            if (!_writeOnClose) CountLetGo();
            else if (abandoned) notWritten.Add(held.Event);
            else _write(held.Event);
        }

        return notWritten;
    }

    void Hold(LogEvent logEvent, long now)
    {
        var key = _key.Of(logEvent);
        if (!_groups.TryGetValue(key, out var group))
        {
            group = new HeldGroup(key);
            _groups.Add(key, group);
        }

        var held = new HeldEvent(logEvent, group, now);
        group.Append(held);
        held.Older = _newest;
        if (_newest is null) _oldest = held;
        else _newest.Newer = held;
        _newest = held;
        Volatile.Write(ref _heldCount, _heldCount + 1);

        if (_heldCount > _limit) LetGo(_oldest!);
    }

    /// <summary>Write the held events of the group with <paramref name="key"/>, in their order.</summary>
    void WriteGroup(object key)
    {
        if (!_groups.TryGetValue(key, out var group)) return;

        _groups.Remove(key);
        var held = group.First;
        while (held is not null)
        {
            var next = held.NextInGroup;
            Unlink(held);
            _write(held.Event);
            held = next;
        }
    }

    void LetGoOlderThan(long now)
    {
        while (_oldest is { } oldest && now - oldest.HeldAt > _maxAgeTicks) LetGo(oldest);
    }

    /// <summary>Let the oldest held event go: being the oldest of all, it is the first of its group too.</summary>
    void LetGo(HeldEvent oldest)
    {
        Debug.Assert(ReferenceEquals(oldest, _oldest) && ReferenceEquals(oldest.Group.First, oldest));
        Unlink(oldest);
        if (oldest.Group.RemoveFirst()) _groups.Remove(oldest.Group.Key);
        CountLetGo();
    }

    void CountLetGo() => Volatile.Write(ref _letGoCount, _letGoCount + 1);

    /// <summary>Take <paramref name="held"/> out of the list of all held events, and count it out.</summary>
    void Unlink(HeldEvent held)
    {
        if (held.Older is null) _oldest = held.Newer;
        else held.Older.Newer = held.Newer;
        if (held.Newer is null) _newest = held.Older;
        else held.Newer.Older = held.Older;
        held.Older = held.Newer = null;
        Volatile.Write(ref _heldCount, _heldCount - 1);
    }
}
