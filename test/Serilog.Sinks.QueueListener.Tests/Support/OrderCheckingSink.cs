using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Checks that each producer's events (the <c>Producer</c> and <c>Sequence</c> properties of <see cref="Some"/>
/// events) arrive in increasing order, and counts them. Can be made slow, to hold the listener back and keep a
/// small queue full.
/// </summary>
class OrderCheckingSink(int producers, int spinPerEvent = 0) : ILogEventSink
{
    readonly object _sync = new();
    readonly int[] _next = new int[producers];
    readonly int[] _delivered = new int[producers];
    readonly List<string> _violations = [];
    readonly List<(int Producer, int Sequence)> _ids = [];
    int _gaps;

    /// <summary>Every event delivered, as (producer, sequence), in the order it arrived.</summary>
    public IReadOnlyList<(int Producer, int Sequence)> DeliveredIds
    {
        get
        {
            lock (_sync) return _ids.ToList();
        }
    }

    /// <summary>Events that arrived out of order or twice, described; empty when all is well.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_sync) return _violations.ToList();
        }
    }

    /// <summary>How many times a producer's sequence skipped ahead (an event missing so far).</summary>
    public int Gaps
    {
        get
        {
            lock (_sync) return _gaps;
        }
    }

    public int Delivered
    {
        get
        {
            lock (_sync) return _delivered.Sum();
        }
    }

    public IReadOnlyList<int> DeliveredPerProducer
    {
        get
        {
            lock (_sync) return _delivered.ToList();
        }
    }

    public void Emit(LogEvent logEvent)
    {
        if (spinPerEvent > 0) Thread.SpinWait(spinPerEvent);

        var producer = Some.ProducerOf(logEvent);
        var sequence = Some.SequenceOf(logEvent);
        lock (_sync)
        {
            if (sequence < _next[producer])
            {
                // Keep the list short: one broken run produces thousands of these.
                if (_violations.Count < 10)
                {
                    _violations.Add($"producer {producer}: event {sequence} after event {_next[producer] - 1}");
                }

                return;
            }

            if (sequence > _next[producer]) _gaps++;
            _next[producer] = sequence + 1;
            _delivered[producer]++;
            _ids.Add((producer, sequence));
        }
    }
}
