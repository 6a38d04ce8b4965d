namespace BlockStore.Tests.Contract;

/// <summary>Block compression is a per-block choice: a data set reads every block whatever the current setting.</summary>
public abstract partial class ContractTests
{
    [SkippableTheory]
    [InlineData(BlockCompression.None, BlockCompression.Zstd)]
    [InlineData(BlockCompression.Zstd, BlockCompression.None)]
    public async Task Blocks_written_under_one_compression_setting_read_back_under_the_other(BlockCompression before, BlockCompression after)
    {
        MessageStore store = await OpenAsync(o =>
        {
            o.TimelineMaxSize = 4;
            o.Compression = before;
        });
        List<Message> first = await AddManyAsync(store, "c", 10, Users("u"));

        store = await ReopenAsync(store, o =>
        {
            o.TimelineMaxSize = 4;
            o.Compression = after;
            o.CompressionLevel = 9;
        });
        List<Message> second = await AddManyAsync(store, "c", 10, Users("u"));
        store = await ReopenAsync(store, o => o.Compression = after);

        AssertSameMessages([.. first, .. second], await store.GetConvMessagesAsync("c", 100));
        AssertSameMessages([.. first, .. second], await store.GetUserMessagesAsync("u", 0, 100));
        Assert.Empty((await store.VerifyAsync()).Problems);
    }
}
