using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The settings of a <see cref="RedisStreamSink"/>, checked by <c>WriteTo.RedisStream</c> before they are made (see
/// its parameters for their ranges and meaning).
/// </summary>
/// <param name="StreamKey">The stream's key.</param>
/// <param name="BatchSizeLimit">The most events in one entry.</param>
/// <param name="MaxStreamLength">The most entries the stream may hold before the producer waits.</param>
/// <param name="WaitForReplicas">How many replicas must acknowledge an entry before its batch counts as sent; 0 for
/// none (see <see cref="ReplicaWait"/>).</param>
sealed record RedisStreamSinkOptions(RedisKey StreamKey, int BatchSizeLimit, int MaxStreamLength, int WaitForReplicas);
