using BlockStore.Engine;

namespace BlockStore.Tests.Engine;

public sealed class BlockCacheTests
{
    [Fact]
    public void Cache_stays_within_its_byte_budget()
    {
        var cache = new BlockCache(10_000);
        for (int i = 0; i < 1000; i++)
        {
            cache.Add(i, new object(), 300);
            Assert.InRange(cache.Bytes, 0, 10_000);
        }

        Assert.InRange(cache.Count, 1, 33);
    }

    [Fact]
    public void Recently_read_blocks_survive_eviction_of_unread_ones()
    {
        var cache = new BlockCache(1000);
        object hot = new();
        cache.Add(0, hot, 100);
        for (int i = 1; i < 50; i++)
        {
            Assert.True(cache.TryGet(0, out object found));
            Assert.Same(hot, found);
            cache.Add(i, new object(), 100);
        }

        Assert.True(cache.TryGet(0, out _));
        Assert.False(cache.TryGet(1, out _));
        Assert.True(cache.Hits >= 50);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Blocks_larger_than_the_budget_are_not_cached()
    {
        var cache = new BlockCache(100);
        cache.Add(1, new object(), 101);

        Assert.False(cache.TryGet(1, out _));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Location_keys_are_distinct_per_owner_store_and_offset()
    {
        Int128 a = BlockCache.KeyOf(1, new StoreIndex(1, 0, 10, default));
        Int128 b = BlockCache.KeyOf(1, new StoreIndex(2, 0, 10, default));
        Int128 c = BlockCache.KeyOf(1, new StoreIndex(1, 10, 10, default));
        Int128 d = BlockCache.KeyOf(2, new StoreIndex(1, 0, 10, default));

        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
    }
}
