using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The sending side of a <see cref="RedisStreamSink"/>: one batch at a time, as one entry
/// (<see cref="CappedStreamAdd"/>, then <see cref="ReplicaWait"/> when replicas are asked for), once the first attempt
/// to connect has ended; on success the next batch goes, on a
/// failure or a full stream the same batch goes again after a backoff (<see cref="AddFailure.RetryDelay"/>), and a
/// lasting refusal is reported with its events.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="SendNextLocked"/> under the held batches' lock (from <c>Emit</c>, or from the completion
/// of the batch before); each attempt and its completion on the thread pool, never on the connection's own reader,
/// since a completion may send the next batch. Whether a batch is still to be sent is decided under that lock just
/// before each attempt and again at its completion: a shutdown that gave the batch up meanwhile wins, and the attempt's
/// outcome is then ignored. One chain of attempts runs at a time, since the next batch is sent only by the completion
/// of the one before, or by an <c>Emit</c> that finds nothing in flight.</para>
/// <para>An <c>XADD</c> whose reply was lost with the connection may have been added, so a retry can add a batch
/// twice; the batch is marked as possibly written (<see cref="StreamBatch.MayHaveLanded"/>) for the report that gives
/// it up.</para>
/// </remarks>
sealed class StreamBatchSender
{
    readonly HeldBatches _held;
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly int _maxStreamLength;
    readonly int _waitForReplicas;
    readonly ProducerReports _reports;

    /// <summary>Where the stream's primary was at each batch sent; none with <c>waitForReplicas</c>, where nothing
    /// counted as sent can be lost in a failover.</summary>
    readonly PrimaryWatch? _primaries;

    /// <summary>Names the sink in the entries it adds, so that a reader can tell an entry added twice (a retry
    /// after a lost reply) by the pair of it and the entry's number.</summary>
    readonly RedisValue _producerId = Environment.MachineName + ":" +
        RedisNames.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <param name="held">What the sink holds, and the lock over it.</param>
    /// <param name="connection">Where the stream is.</param>
    /// <param name="options">The stream, its bound, and the replicas to wait for.</param>
    /// <param name="reports">Where failures go.</param>
    public StreamBatchSender(HeldBatches held, RedisConnection connection, RedisStreamSinkOptions options, ProducerReports reports)
    {
        _held = held;
        _connection = connection;
        _streamKey = options.StreamKey;
        _maxStreamLength = options.MaxStreamLength;
        _waitForReplicas = options.WaitForReplicas;
        _reports = reports;
        _primaries = _waitForReplicas == 0 ? new PrimaryWatch(connection, _streamKey) : null;
    }

    /// <summary>Send the next batch as the one in flight. Under the lock, with nothing in flight and events in the
    /// next batch.</summary>
    public void SendNextLocked() => Send(_held.SendNext(this));

    /// <summary>Send <paramref name="batch"/> now, or once the first attempt to connect has ended.</summary>
    void Send(StreamBatch batch)
    {
        var connecting = _connection.Connecting;
        if (!connecting.IsCompleted)
        {
            // The first attempt to connect is still under way (see RedisConnection): the batch is sent once it ends.
            connecting.ContinueWith(static (_, state) => ((StreamBatch)state!).Sender.Send((StreamBatch)state!),
                batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        lock (_held.Lock)
        {
            if (!ReferenceEquals(_held.Sending, batch)) return;

            // From here Redis may add the entry even if the reply never comes.
            batch.Attempting = true;
        }

        Task<RedisResult> sent;
        try
        {
            // The first attempt to connect has ended (above), so the multiplexer is at hand.
            sent = _waitForReplicas == 0
                ? CappedStreamAdd.AddAsync(_connection.Database, _streamKey, _maxStreamLength, batch, _producerId)
                : ReplicaWait.AddAsync(connecting.Result, _streamKey, _maxStreamLength, batch, _producerId, _waitForReplicas);
        }
        catch (Exception ex)
        {
            sent = Task.FromException<RedisResult>(ex);
        }

        // Not synchronously: the completion takes the lock and may send the next batch, which is no work for the
        // connection's own reader.
        sent.ContinueWith(static (task, state) => ((StreamBatch)state!).Sender.OnSent(task, (StreamBatch)state!),
            batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>What Redis answered to an attempt of <paramref name="batch"/>: the next batch goes, or this one is
    /// retried, reported or given up.</summary>
    void OnSent(Task<RedisResult> sent, StreamBatch batch)
    {
        var failure = sent.Exception is { } aggregate
            ? aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException : aggregate
            : null;
        var full = failure is null && sent.Result.IsNull;
        int failures;
        bool retry;
        lock (_held.Lock)
        {
            // Given up meanwhile: its events were handed back or reported, whatever this attempt did.
            if (!ReferenceEquals(_held.Sending, batch)) return;

            batch.Attempting = false;
            if (failure is not null && !AddFailure.CertainlyNotAdded(failure)) batch.MayHaveLanded = true;
            failures = failure is not null || full ? _held.Failed() : 0;
            retry = _held.GiveUpAt is not { } giveUpAt || DateTime.UtcNow < giveUpAt;
        }

        if (failure is RedisServerException refused && AddFailure.IsRefusal(refused))
        {
            // Retrying cannot help, and in Block mode would hold the application until someone mends the key. The
            // batch is done with, as if sent: the next one goes.
            _reports.Refused(batch, failure);
        }
        else if (failure is not null || full)
        {
            if (retry)
            {
                if (failures == 1) _reports.OutageStarted(batch, full, failure);
                else if (!full) _reports.OutageContinues(batch, failure);

                // The server that refused may no longer be the primary: have the client look again.
                if (!full) _connection.FindPrimaryAgain();

                // First in line still: nothing else is sent until this batch is.
                Task.Delay(AddFailure.RetryDelay(full, failures)).ContinueWith(
                    static (_, state) => ((StreamBatch)state!).Sender.Send((StreamBatch)state!),
                    batch, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return;
            }

            HeldEvents held;
            lock (_held.Lock)
            {
                held = _held.GiveUp();
            }

            _reports.GivenUp(held, full ? "(it stayed full while the sink was being disposed)" : "while the sink was being disposed");
            return;
        }

        int failedBefore;
        lock (_held.Lock)
        {
            if (!ReferenceEquals(_held.Sending, batch)) return;

            failedBefore = _held.Sent();
            if (_held.HasNext) SendNextLocked();
        }

        if (failure is not null) return;

        // Without replicas waited for, a failover may have taken the last entries the old primary took: said so.
        var movedFrom = _primaries?.Sent();

        // The end of an outage whose start was reported, so that a reader of the reports knows it is over.
        if (failedBefore > 0) _reports.OutageEnded(failedBefore, movedFrom);
        else if (movedFrom is not null) _reports.Moved(movedFrom);
    }
}
