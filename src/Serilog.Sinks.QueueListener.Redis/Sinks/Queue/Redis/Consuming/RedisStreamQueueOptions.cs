using System.Globalization;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// How a <see cref="RedisStreamQueue"/> reads its stream: the consumer group and name, and the tunings of reading,
/// claiming, poison and trimming. Every property has a default; set only those to change, as in
/// <c>new RedisStreamQueueOptions { GroupName = "collectors", ConsumerName = "collector-1" }</c>.
/// </summary>
/// <remarks>
/// <para>Why an options type rather than parameters with defaults, as Serilog's sinks take: the collector has seven
/// settings, most of them times, which as optional parameters made a constructor of nine whose
/// <c>TimeSpan?</c>s were told apart by position alone, and overloads over a borrowed connection that could each
/// offer only some of them. Here every setting is named where it is set, and both constructors take all of
/// them. The producer, which JSON configuration builds, keeps plain parameters (see
/// <c>WriteTo.RedisStream</c>).</para>
/// <para>Validated once, where it is set: each <c>init</c> accessor throws an
/// <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for a name) naming the property,
/// so an instance is valid once made and the queue checks nothing again. Immutable once made, so one instance may
/// serve several queues.</para>
/// </remarks>
public sealed class RedisStreamQueueOptions
{
    /// <summary>The consumer group used when none is named.</summary>
    public const string DefaultGroupName = "queue-listener";

    /// <summary>The delivery limit used when none is given.</summary>
    public const int DefaultMaxDeliveryCount = 10;

    /// <summary>The most keys a stream may be spread over (<see cref="Shards"/>), as on the producer side.</summary>
    public const int MaxShards = StreamShards.MaxShards;

    readonly string _groupName = DefaultGroupName;
    readonly string? _consumerName;
    readonly int _readCount = 100;
    readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(50);
    readonly TimeSpan _claimIdleTime = TimeSpan.FromSeconds(30);
    readonly int _maxDeliveryCount = DefaultMaxDeliveryCount;
    readonly TimeSpan _trimInterval = TimeSpan.FromMilliseconds(100);
    readonly int _shards = 1;

    /// <summary>The consumer group; listeners of one group share the stream's events between them. By default
    /// <see cref="DefaultGroupName"/>.</summary>
    /// <exception cref="ArgumentNullException">When set to <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">When set to an empty name.</exception>
    public string GroupName
    {
        get => _groupName;
        init => _groupName = RedisNames.Require(value, nameof(GroupName));
    }

    /// <summary>This consumer's name within the group; by default (<see langword="null"/>) the machine name and the
    /// process id. A consumer restarted under the same name first reads again what it read and never
    /// acknowledged.</summary>
    /// <exception cref="ArgumentException">When set to an empty name.</exception>
    public string? ConsumerName
    {
        get => _consumerName;
        init => _consumerName = value is null ? null : RedisNames.Require(value, nameof(ConsumerName));
    }

    /// <summary>The most entries read at once, from 1 to 10,000; by default 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public int ReadCount
    {
        get => _readCount;
        init => _readCount = InRange(value, 1, 10_000, nameof(ReadCount), "entries");
    }

    /// <summary>The longest a waiting listener sleeps between reads that found nothing (it starts at 1 ms after a
    /// read that found something, and doubles up to this, but stays at 2 ms at most for 100 ms after such a read);
    /// from 1 ms to 10 s, by default 50 ms.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public TimeSpan PollInterval
    {
        get => _pollInterval;
        init => _pollInterval = InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10), nameof(PollInterval), "1 ms to 10 s");
    }

    /// <summary>How long an entry must have been pending with another consumer of the group, unacknowledged, before
    /// this one claims it, and how often it looks for such entries; from 1 ms to 1 day, by default 30 s. Longer than
    /// the longest the sinks take over one batch, or a slow consumer's entries are written twice.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public TimeSpan ClaimIdleTime
    {
        get => _claimIdleTime;
        init => _claimIdleTime = InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), nameof(ClaimIdleTime), "1 ms to 1 day");
    }

    /// <summary>How many times an entry may be delivered without being acknowledged before it is reported as poison
    /// and acknowledged unwritten; from 1 to 1,000, by default <see cref="DefaultMaxDeliveryCount"/>. Each restart
    /// of a consumer that held it, and each claim by another, is a delivery.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public int MaxDeliveryCount
    {
        get => _maxDeliveryCount;
        init => _maxDeliveryCount = InRange(value, 1, 1_000, nameof(MaxDeliveryCount), "deliveries");
    }

    /// <summary>How often at most the queue trims the acknowledged entries from the stream; from 10 ms to 1 hour, by
    /// default 100 ms; <see cref="Timeout.InfiniteTimeSpan"/> never trims (the stream then grows until producers reach
    /// their <c>maxStreamLength</c>, unless something else trims it).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public TimeSpan TrimInterval
    {
        get => _trimInterval;
        init => _trimInterval = value == Timeout.InfiniteTimeSpan
            ? value
            : InRange(value, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), nameof(TrimInterval), "10 ms to 1 hour, or infinite");
    }

    /// <summary>How many keys the stream is spread over, the producers' <c>shards</c>: from 1 to
    /// <see cref="MaxShards"/>, by default 1 (the stream's key itself). With N over 1 the queue reads the N keys
    /// <c>streamKey:{tag}</c> the producers write (see docs/redis.md), each with its own consumer group, claims,
    /// trimming, poison handling and outages, into one queue, and acknowledges each entry on the key it came from.
    /// A queue that finds keys of the stream made with another number of shards reports them once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set out of range.</exception>
    public int Shards
    {
        get => _shards;
        init => _shards = InRange(value, 1, MaxShards, nameof(Shards), "keys");
    }

    static int InRange(int value, int least, int most, string property, string unit)
    {
        if (value < least || value > most)
        {
            throw new ArgumentOutOfRangeException(property, value, string.Format(CultureInfo.InvariantCulture,
                "{0} must be from {1:N0} to {2:N0} {3}.", property, least, most, unit));
        }

        return value;
    }

    static TimeSpan InRange(TimeSpan value, TimeSpan least, TimeSpan most, string property, string range)
    {
        if (value < least || value > most)
        {
            throw new ArgumentOutOfRangeException(property, value, $"{property} must be from {range}.");
        }

        return value;
    }
}
