using System.Globalization;
using System.Net;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// What a <see cref="RedisStreamSink"/> reports, in words, to the failure listener set on it, through the core's one
/// reporting path (<see cref="FailureReporting.Report"/>), with the sink as the sender.
/// </summary>
/// <remarks>The listener is set during configuration, before logging starts; every report is made outside the sink's
/// lock.</remarks>
sealed class ProducerReports
{
    readonly object _sender;
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly int _maxStreamLength;

    /// <param name="sender">The sink, named as the sender of every report.</param>
    /// <param name="connection">Where the stream is, to name why it cannot be reached.</param>
    /// <param name="options">The stream and its bound.</param>
    public ProducerReports(object sender, RedisConnection connection, RedisStreamSinkOptions options)
    {
        _sender = sender;
        _connection = connection;
        _streamKey = options.StreamKey;
        _maxStreamLength = options.MaxStreamLength;
    }

    /// <summary>Where reports go; Serilog's <see cref="SelfLog"/> until set.</summary>
    public ILoggingFailureListener Listener { get; set; } = SelfLog.FailureListener;

    /// <summary>An event that came after the sink was disposed, or gave up what it held.</summary>
    public void Closed(LogEvent logEvent) =>
        Report(LoggingFailureKind.Final, "the redis stream sink has been disposed, or has handed back what it held at shutdown; the event was not written", [logEvent], null);

    public void FormatFailed(LogEvent logEvent, Exception failure) =>
        Report(LoggingFailureKind.Permanent, "failed formatting an event as compact JSON", [logEvent], failure);

    /// <summary>The events of an entry that may have been added when the sink gave them up, if any.</summary>
    public void PossiblyWritten(HeldEvents held)
    {
        if (held.PossiblyWritten.Count == 0) return;

        Report(LoggingFailureKind.Final,
            $"{held.PossiblyWritten.Count} events were being added to the redis stream {_streamKey} when the sink gave them up; they may or may not be written",
            held.PossiblyWritten, null);
    }

    /// <summary>Everything the sink gave up itself, <paramref name="when"/>.</summary>
    public void GivenUp(HeldEvents held, string when)
    {
        PossiblyWritten(held);
        if (held.NotWritten.Count == 0) return;

        Report(LoggingFailureKind.Final,
            $"{held.NotWritten.Count} events waited to be added to the redis stream {_streamKey} {when}; they were not written",
            held.NotWritten, null);
    }

    /// <summary>A batch Redis refused for a reason that lasts (see <see cref="AddFailure.IsRefusal"/>).</summary>
    public void Refused(StreamBatch batch, Exception failure) =>
        Report(LoggingFailureKind.Permanent,
            $"the redis server refused to add {batch.Events.Count} events to the stream {_streamKey}; they were not written",
            batch.Events, failure);

    /// <summary>Whether the outage under way has been reported as a replica's refusal (<c>READONLY</c>). Used by
    /// the one completion of a send at a time (a sink has one batch on its way), so no lock.</summary>
    bool _replicaRefusalReported;

    /// <summary>A later failure of the outage under way: reported again once when it turns into a replica's refusal
    /// (the primary this client was given came back as a replica after a failover), which may never end by itself,
    /// where the first report named another cause (the server could not be reached).</summary>
    public void OutageContinues(StreamBatch batch, Exception? failure)
    {
        if (_replicaRefusalReported || !RedisFailureCause.IsReplicaRefusal(failure)) return;

        OutageStarted(batch, full: false, failure);
    }

    /// <summary>The first failure of a batch: the start of an outage, or of a wait for room.</summary>
    public void OutageStarted(StreamBatch batch, bool full, Exception? failure)
    {
        _replicaRefusalReported = RedisFailureCause.IsReplicaRefusal(failure);
        if (full)
        {
            Report(LoggingFailureKind.Temporary,
                $"the redis stream {_streamKey} holds {_maxStreamLength} entries, its limit; {batch.Events.Count} events wait until collectors trim what they have acknowledged, with the events behind them waiting",
                null, failure);
            return;
        }

        if (failure is ReplicasMissingException missing)
        {
            Report(LoggingFailureKind.Temporary,
                $"{batch.Events.Count} events were added to the redis stream {_streamKey}, but {missing.Message}; they are not counted as sent, and the producer tries again (adding them once more only if the stream no longer holds them) until enough replicas acknowledge, with the events behind them waiting",
                null, failure);
            return;
        }

        var cause = RedisFailureCause.Describe(failure, _connection.EndPoints);
        Report(LoggingFailureKind.Temporary,
            $"failed adding {batch.Events.Count} events to the redis stream {_streamKey}{(cause is null ? "" : ": " + cause)}; retrying until it succeeds, with the events behind them waiting",
            null, failure);
    }

    /// <summary>The end of an outage whose start was reported, so that a reader of the reports knows it is
    /// over.</summary>
    /// <param name="failedBefore">The attempts that failed.</param>
    /// <param name="movedFrom">The primary that held the stream before, when it no longer does (see
    /// <see cref="PrimaryWatch"/>).</param>
    public void OutageEnded(int failedBefore, EndPoint? movedFrom) =>
        Report(LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "adding to the redis stream {0} again, after {1} failed attempts{2}", _streamKey, failedBefore, MayHaveLost(movedFrom)), null, null);

    /// <summary>The stream moved off a primary that failed or was demoted, with no failed attempt in between.</summary>
    public void Moved(EndPoint movedFrom) =>
        Report(LoggingFailureKind.Temporary, string.Format(CultureInfo.InvariantCulture,
            "adding to the redis stream {0}{1}", _streamKey, MayHaveLost(movedFrom)), null, null);

    /// <summary>What a failover may have lost. Redis replicates asynchronously: the producer cannot know which of its
    /// entries the old primary had passed on, so it says what may be lost and what prevents it, rather than
    /// nothing.</summary>
    static string MayHaveLost(EndPoint? movedFrom) => movedFrom is null ? "" : string.Format(CultureInfo.InvariantCulture,
        ", now on another server than {0}, which is no longer a primary the client reaches (a failover): the entries {0} took in its last moments may not have reached the replica that took its place, and are then lost without any other report; a producer with waitForReplicas: 1 counts a batch as sent only once a replica has it",
        EndPointCollection.ToString(movedFrom));

    void Report(LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
        Listener.Report(_sender, kind, message, events, exception);
}
