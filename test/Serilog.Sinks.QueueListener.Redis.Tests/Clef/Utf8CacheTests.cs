using System.Text;
using Serilog.Sinks.Queue.Redis;

namespace Serilog.Sinks.QueueListener.Redis.Tests.Clef;

public class Utf8CacheTests
{
    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public void FindsAValueByEqualBytesOnly()
    {
        var cache = new Utf8Cache<string>(64);
        cache.Add(Utf8("Customer"), "Customer");

        Assert.Multiple(() =>
        {
            Assert.That(cache.TryGet(Utf8("Customer"), out var found), Is.True);
            Assert.That(found, Is.EqualTo("Customer"));
            Assert.That(cache.TryGet(Utf8("customer"), out _), Is.False);
            Assert.That(cache.TryGet(Utf8("Customer "), out _), Is.False);
            Assert.That(cache.TryGet(Utf8("Custome"), out _), Is.False);
        });
    }

    [Test]
    public void AKeyLongerThanTheLimitIsNotRememberedAndOneAtTheLimitIs()
    {
        var cache = new Utf8Cache<string>(64);
        var atLimit = new string('a', Utf8Cache<string>.LongestKey);
        var over = new string('b', Utf8Cache<string>.LongestKey + 1);

        cache.Add(Utf8(atLimit), "at");
        cache.Add(Utf8(over), "over");

        Assert.Multiple(() =>
        {
            Assert.That(cache.TryGet(Utf8(atLimit), out var found), Is.True);
            Assert.That(found, Is.EqualTo("at"));
            Assert.That(cache.TryGet(Utf8(over), out _), Is.False);
        });
    }

    [Test]
    public void ANewcomerReplacesWhatHeldItsSlot()
    {
        var cache = new Utf8Cache<string>(1);
        cache.Add(Utf8("First"), "1");
        cache.Add(Utf8("Second"), "2");

        Assert.Multiple(() =>
        {
            Assert.That(cache.TryGet(Utf8("First"), out _), Is.False);
            Assert.That(cache.TryGet(Utf8("Second"), out var found), Is.True);
            Assert.That(found, Is.EqualTo("2"));
        });
    }

    [Test]
    public void KeysOfEveryLengthAroundTheEightByteStepAreKeptApart()
    {
        var keys = Enumerable.Range(0, 20).Select(n => new string('x', n)).ToList();
        var cache = new Utf8Cache<string>(1024);
        foreach (var key in keys)
        {
            cache.Add(Utf8(key), key);
        }

        // Slots may collide; what is found is never another key's value.
        Assert.That(keys.Where(k => cache.TryGet(Utf8(k), out var found) && found != k), Is.Empty);
    }

    [Test]
    public void TheSlotCountIsAPowerOfTwo()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new Utf8Cache<string>(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new Utf8Cache<string>(100), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
