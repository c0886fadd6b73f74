namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// A collecting sink with a public <c>FlushToDisk()</c>, like Serilog.Sinks.File's: records how many events it had
/// received at each flush, and throws from the flush when told to.
/// </summary>
class FlushRecordingSink(bool throwOnFlush = false) : CollectingSink
{
    readonly List<int> _eventsAtFlush = [];

    public IReadOnlyList<int> EventsAtFlush
    {
        get
        {
            lock (_eventsAtFlush) return _eventsAtFlush.ToList();
        }
    }

    public void FlushToDisk()
    {
        lock (_eventsAtFlush) _eventsAtFlush.Add(Events.Count);
        if (throwOnFlush) throw new IOException("The flush failed, as it was told to.");
    }
}
