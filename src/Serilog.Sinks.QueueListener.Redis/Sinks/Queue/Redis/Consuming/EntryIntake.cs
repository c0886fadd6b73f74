namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// Reads the entries of one key (one shard, see <see cref="ShardedIntake"/>) for a <see cref="RedisStreamQueue"/>'s
/// consumer (see <see cref="ConsumerGroupReader"/>) and takes them in, marked with the shard they came from: good entries into <see cref="ReadEntries"/>, to be decoded when the listener comes to them; poison entries
/// reported, counted and acknowledged; deleted ones reported.
/// </summary>
/// <remarks>
/// <para>Threads: <see cref="TryRead"/> on the listener's thread, inside <c>WaitToDequeue</c>.
/// <see cref="DroppedCount"/> on any thread. <see cref="_readLock"/> serialises reads, so that entries are added in
/// the order they were read even if a queue used without a listener were waited on from two threads; it is never
/// held while calling the failure listener for anything but the reports of what was read, which take no lock of
/// this queue.</para>
/// </remarks>
sealed class EntryIntake
{
    readonly ConsumerGroupReader _reader;
    readonly ReadEntries _entries;
    readonly EntryDecoder _decoder;
    readonly Acknowledgements _acknowledgements;
    readonly ReadOutage _outage;
    readonly int _shard;
    readonly Func<StackExchange.Redis.RedisValue, bool> _isHeld;

    /// <summary>Serialises reads from Redis; guards <see cref="_reader"/>, which is not thread-safe.</summary>
    readonly object _readLock = new();

    /// <summary>Events reported and never written: in poison entries. Added under <see cref="_readLock"/> with
    /// <see cref="Interlocked"/>, read on any thread.</summary>
    long _droppedCount;

    public EntryIntake(int shard, ConsumerGroupReader reader, ReadEntries entries, EntryDecoder decoder,
        Acknowledgements acknowledgements, ReadOutage outage)
    {
        _shard = shard;
        _isHeld = id => entries.IsHeld(shard, id);
        _reader = reader;
        _entries = entries;
        _decoder = decoder;
        _acknowledgements = acknowledgements;
        _outage = outage;
    }

    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>Entries found pending with this consumer that it no longer held (see
    /// <see cref="ConsumerGroupReader.RecoverLostReplies"/>), written then: at least once, so maybe twice. Added under
    /// <see cref="_readLock"/> with <see cref="Interlocked"/>, read on any thread.</summary>
    public long FoundAgainCount => Interlocked.Read(ref _foundAgainCount);

    long _foundAgainCount;

    /// <inheritdoc cref="ReadOutage.IsUnderWay"/>
    public bool IsOutageUnderWay => _outage.IsUnderWay;

    /// <summary>
    /// Read, taking an outage (see <see cref="ReadOutage"/>) as nothing read. A fault is thrown.
    /// </summary>
    /// <returns>Whether any entry was added.</returns>
    public bool TryRead()
    {
        try
        {
            var read = Read();
            _outage.Ended();
            return read;
        }
        catch (Exception ex) when (ReadOutage.IsOutage(ex))
        {
            // The failed command may have reached Redis all the same, or an earlier one of the read did (the
            // XREADGROUP before a refused XPENDING), and delivered entries whose reply is lost.
            lock (_readLock) _reader.RecoverLostReplies();
            _outage.Failed(ex);
            return false;
        }
    }

    /// <summary>Read until some entry is added or there is nothing more to read.</summary>
    bool Read()
    {
        lock (_readLock)
        {
            var added = 0;
            var toAcknowledge = false;
            while (added == 0)
            {
                var read = _reader.Read(_isHeld);
                if (read.IsEmpty) break;

                foreach (var id in read.Deleted)
                {
                    _decoder.ReportDeleted(id);
                }

                foreach (var (entry, deliveries) in read.Poison)
                {
                    Interlocked.Add(ref _droppedCount, _decoder.ReportPoison(entry, deliveries));
                    _entries.AddUnwritable(_shard, entry.Id);
                    toAcknowledge = true;
                }

                foreach (var entry in read.Entries)
                {
                    _entries.AddEntry(_shard, entry);
                    added++;
                }

                if (read.FoundAgain)
                {
                    Interlocked.Add(ref _foundAgainCount, read.Entries.Count);
                    _decoder.ReportFoundAgain(read.Entries.Count);
                }
            }

            if (toAcknowledge) _acknowledgements.AcknowledgeUnwritable();
            return added > 0;
        }
    }
}
