using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Connection;

/// <summary>The names of a stream's shards, which the producer and the collector derive alike and other tools compute
/// from docs/redis.md.</summary>
public class StreamShardsTests
{
    [Test]
    public void TheSlotIsRedisClustersCrc16OfTheHashTag()
    {
        // The check value of CRC16/XMODEM, and the slots Redis gives the tags of logs:{0}, logs:{1} and logs:{2}.
        Assert.Multiple(() =>
        {
            Assert.That(StreamShards.SlotOf("123456789"), Is.EqualTo(0x31C3));
            Assert.That(StreamShards.SlotOf("0"), Is.EqualTo(13907));
            Assert.That(StreamShards.SlotOf("1"), Is.EqualTo(9842));
            Assert.That(StreamShards.SlotOf("2"), Is.EqualTo(5649));
        });
    }

    [Test]
    public void EachShardsTagIsTheSmallestNumberWhoseSlotLiesInItsShareOfTheSlots()
    {
        for (var shards = 2; shards <= StreamShards.MaxShards; shards++)
        {
            for (var shard = 0; shard < shards; shard++)
            {
                var tag = StreamShards.Tag(shard, shards);
                var first = shard * 16384 / shards;
                var end = (shard + 1) * 16384 / shards;
                var number = int.Parse(tag, System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(StreamShards.SlotOf(tag), Is.InRange(first, end - 1), $"shard {shard} of {shards}");
                Assert.That(Enumerable.Range(0, number).Select(n => StreamShards.SlotOf(n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                    Has.None.InRange(first, end - 1), $"a smaller tag fits shard {shard} of {shards}");
            }
        }
    }

    [Test]
    public void OneShardIsTheKeyItselfAndSeveralAreTheKeyWithAHashTagEach()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StreamShards.KeysOf("logs", 1).Select(k => k.ToString()), Is.EqualTo(new[] { "logs" }));
            Assert.That(StreamShards.KeysOf("logs", 3).Select(k => k.ToString()),
                Is.EqualTo(new[] { "logs:{" + StreamShards.Tag(0, 3) + "}", "logs:{" + StreamShards.Tag(1, 3) + "}", "logs:{" + StreamShards.Tag(2, 3) + "}" }));
        });
    }
}
