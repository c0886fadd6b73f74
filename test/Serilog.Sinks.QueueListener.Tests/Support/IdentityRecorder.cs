using Serilog.Core;
using Serilog.Events;

namespace Serilog.Sinks.QueueListener.Tests.Support;

/// <summary>
/// Records the producer and sequence (see <see cref="Some"/>) of every event it receives, as a sink or as a failure
/// listener, without keeping the events alive: for tests that log millions of events and account for each.
/// </summary>
class IdentityRecorder : ILogEventSink, ILoggingFailureListener
{
    readonly object _sync = new();
    readonly List<(int Producer, int Sequence)> _identities = [];

    public IReadOnlyList<(int Producer, int Sequence)> Identities
    {
        get
        {
            lock (_sync) return _identities.ToList();
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_sync) _identities.Add(Identify(logEvent));
    }

    public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
    {
        if (events is null) return;

        lock (_sync)
        {
            foreach (var logEvent in events) _identities.Add(Identify(logEvent));
        }
    }

    static (int, int) Identify(LogEvent logEvent) => (Some.ProducerOf(logEvent), Some.SequenceOf(logEvent));
}
