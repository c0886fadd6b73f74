namespace Serilog.Sinks.QueueListener.Benchmarks.Redis;

/// <summary>
/// Where the collector's listener thread spent its time, wall and CPU, by what it was doing: reading
/// (<c>WaitToDequeue</c>: <c>XREADGROUP</c>, waiting for the reply, parsing the CLEF into events, and the poll's
/// naps when the stream is empty), taking read events (<c>TryDequeue</c>), acknowledging (<c>XACK</c>), and the rest
/// (between the queue's calls: the sinks and the listener's own loop). A snapshot; two subtract.
/// </summary>
/// <param name="Reads">Calls of <c>WaitToDequeue</c>; each that found the queue empty read the stream at least
/// once.</param>
/// <param name="ReadWallSeconds">Also the naps between polls of an empty stream.</param>
readonly record struct CollectorTimes(
    long Reads,
    double ReadWallSeconds,
    double ReadCpuSeconds,
    long Dequeues,
    long DequeuedEvents,
    double DequeueCpuSeconds,
    long Acknowledgements,
    double AcknowledgeWallSeconds,
    double AcknowledgeCpuSeconds,
    double OtherWallSeconds,
    double OtherCpuSeconds)
{
    /// <summary>The listener thread's CPU time in all.</summary>
    public double CpuSeconds => ReadCpuSeconds + DequeueCpuSeconds + AcknowledgeCpuSeconds + OtherCpuSeconds;

    public static CollectorTimes operator -(CollectorTimes after, CollectorTimes before) => new(
        after.Reads - before.Reads,
        after.ReadWallSeconds - before.ReadWallSeconds,
        after.ReadCpuSeconds - before.ReadCpuSeconds,
        after.Dequeues - before.Dequeues,
        after.DequeuedEvents - before.DequeuedEvents,
        after.DequeueCpuSeconds - before.DequeueCpuSeconds,
        after.Acknowledgements - before.Acknowledgements,
        after.AcknowledgeWallSeconds - before.AcknowledgeWallSeconds,
        after.AcknowledgeCpuSeconds - before.AcknowledgeCpuSeconds,
        after.OtherWallSeconds - before.OtherWallSeconds,
        after.OtherCpuSeconds - before.OtherCpuSeconds);

    public CollectorTimes Subtract(CollectorTimes before) => this - before;
}
