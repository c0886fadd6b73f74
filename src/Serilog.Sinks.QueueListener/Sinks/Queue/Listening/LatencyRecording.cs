using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.Queue;

/// <summary>
/// Records <c>serilog.queue.latency</c> for each event the listener thread has written, while a collector listens,
/// and reports only the first failure of a collector. A field of <see cref="ListenerLoop"/>, used on the listener
/// thread only; a struct, so that the loop reaches it as it reached its own method.
/// </summary>
struct LatencyRecording
{
    /// <summary>Whether a failure of the latency histogram's collector has been reported.</summary>
    bool _failureReported;

    /// <param name="logEvent">The event just written.</param>
    /// <param name="runState">Gives the <c>queue.name</c> tag of the run under way.</param>
    /// <param name="failures">Where the first failure is reported.</param>
    public void Record(LogEvent logEvent, ListenerRunState runState, ListenerFailures failures)
    {
        try
        {
            QueueMetrics.RecordLatency(logEvent.Timestamp, runState.NameTag);
        }
        catch (Exception ex)
        {
            if (_failureReported) return;
            _failureReported = true;
            failures.Report(LoggingFailureKind.Temporary,
                "a metrics collector threw while recording serilog.queue.latency; later failures are not reported", null, ex);
        }
    }
}
