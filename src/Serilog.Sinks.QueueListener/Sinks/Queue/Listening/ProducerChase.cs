using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Tells when the listener is chasing the producers, and then pauses it while they get ahead: it has taken
/// <see cref="ChasingBatches"/> small batches in a row without once finding the queue empty, so it is reading slots the
/// producers are writing at that moment. A field of <see cref="ListenerLoop"/>, used on the listener thread only; a
/// struct, so that the loop's check after each batch stays inline.
/// </summary>
/// <remarks>Each such slot's cache line then crosses between the two cores twice; where that is slow, both threads
/// spend more time on those transfers than on the events (about twice the CPU per event, measured on a 2-core VM).
/// After the pause the listener takes a full batch of lines the producers are done with. It only happens while events
/// stream in faster than the listener's loop runs: at any rate where the listener finds the queue empty between
/// events, the count of small batches never reaches <see cref="ChasingBatches"/>, and nothing changes.</remarks>
struct ProducerChase
{
    /// <summary>A batch smaller than this, taken right after another, means the listener is chasing the
    /// producers.</summary>
    const int ChasingBatch = 64;

    /// <summary>How many small batches in a row, with no empty look between them, make a chase.</summary>
    const int ChasingBatches = 4;

    /// <summary>How long the listener lets the producers get ahead: 50 µs, a couple of thousand events at full
    /// speed (20 µs gained less in the same runs).</summary>
    static readonly long ChasePauseTicks = Stopwatch.Frequency / 20_000;

    /// <summary>Small batches taken in a row.</summary>
    int _chasing;

    /// <summary>The listener found the queue empty: whatever it was doing, it was not chasing.</summary>
    public void FoundEmpty() => _chasing = 0;

    /// <summary>The listener has written a batch of <paramref name="count"/> events; after the last of a chase's
    /// small batches, pause.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AfterBatch(int count)
    {
        if (count >= ChasingBatch) _chasing = 0;
        else if (++_chasing == ChasingBatches) LetProducersGetAhead();
    }

    static void LetProducersGetAhead()
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() - started < ChasePauseTicks)
        {
            Thread.SpinWait(1);
        }
    }
}
