using StackExchange.Redis;

namespace Serilog.Sinks.Queue.Redis;

/// <summary>
/// The consumer group a <see cref="ConsumerGroupReader"/> reads through: created (with the stream, if there is none
/// yet) before the first read, and again when a command finds it gone because the stream was deleted since.
/// </summary>
/// <remarks>Not thread-safe: the reader's, used under the intake's read lock.</remarks>
sealed class StreamGroup
{
    readonly RedisConnection _connection;
    readonly RedisKey _streamKey;
    readonly RedisValue _groupName;
    bool _ready;

    public StreamGroup(RedisConnection connection, RedisKey streamKey, RedisValue groupName)
    {
        _connection = connection;
        _streamKey = streamKey;
        _groupName = groupName;
    }

    /// <summary>Run <paramref name="command"/>, which uses the group: once the group is made, and again after making
    /// it anew when it is gone.</summary>
    /// <exception cref="RedisException">When Redis cannot be reached or refuses a command.</exception>
    public T Run<T>(Func<T> command)
    {
        if (!_ready) Create();

        try
        {
            return command();
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            // The stream (and its group with it) was deleted since: start again from its beginning.
            Create();
            return command();
        }
    }

    /// <summary>Create the group from the start of the stream, so that events added before the first listener
    /// started are read too; creating the stream if there is none yet.</summary>
    void Create()
    {
        try
        {
            _connection.Database.StreamCreateConsumerGroup(_streamKey, _groupName, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another listener of the group created it first.
        }

        _ready = true;
    }
}
