namespace BlockStore.Tests.Contract;

/// <summary>Fixed-capacity stores: blocks roll over to new stores and no store exceeds MaxCapacity.</summary>
public abstract partial class ContractTests
{
    [SkippableFact]
    public async Task Blocks_roll_over_to_new_stores_and_no_store_exceeds_its_capacity()
    {
        void Small(BlockStoreOptions o)
        {
            o.MaxCapacity = 4096;
            o.MaxBlockBytes = 2048;
            o.MaxMessageBytes = 1000;
            o.TimelineMaxSize = 5;
            o.Compression = BlockCompression.None;
        }

        MessageStore store = await OpenAsync(Small);
        var sent = new List<Message>();
        for (int i = 0; i < 60; i++)
        {
            sent.Add(await store.AddMessageAsync($"c{i % 3}", 1, new byte[(i * 37) % 900], Users("u")));
        }

        store = await ReopenAsync(store, Small);
        StoreStats stats = await store.GetStatsAsync();

        Assert.True(stats.Stores > 3, $"only {stats.Stores} stores");
        Assert.All(stats.StoreDetails, s => Assert.InRange(s.UsedBytes, 1, s.Capacity));
        Assert.All(stats.StoreDetails, s => Assert.Equal(4096, s.Capacity));
        Assert.Equal(stats.StoreDetails.Select(s => s.StoreId), Enumerable.Range(1, stats.Stores).Select(i => (long)i));
        AssertSameMessages(sent, await store.GetUserMessagesAsync("u", 0, 100));
        AssertSameMessages(sent.Where(m => m.ConvId == "c2").ToList(), await store.GetConvMessagesAsync("c2", 100));
    }

    [SkippableFact]
    public async Task A_block_reaching_MaxBlockBytes_is_sealed_before_TimelineMaxSize()
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.MaxBlockBytes = 4096;
            o.MaxMessageBytes = 1000;
            o.TimelineMaxSize = 1000;
        });
        List<Message> sent = [];
        for (int i = 0; i < 20; i++)
        {
            sent.Add(await store.AddMessageAsync("c", 1, new byte[1000], []));
        }

        await store.FlushAsync();
        TimelineInfo info = await store.GetOrCreateConvTimelineAsync("c");

        Assert.True(info.SealedBlockCount >= 4, $"{info.SealedBlockCount} sealed blocks");
        Assert.Equal(20, (await store.GetConvMessagesAsync("c", 100)).Count);
    }
}
