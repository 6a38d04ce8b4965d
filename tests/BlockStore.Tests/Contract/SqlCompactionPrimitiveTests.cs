using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>
/// The compaction and erasure primitives of the providers that keep a data set in database tables (SQLite, PostgreSQL), driven
/// through the provider interfaces with exact expected values: replaced and deleted block records, released block bytes and
/// the virtual stores' bookkeeping, deleted checkpoints; each checked again after reopening.
/// </summary>
public abstract class SqlCompactionPrimitiveTests(IProviderFixture fixture) : StoreTestBase(fixture)
{
    private const long Epoch = 1_700_000_000_000;

    private static readonly TimelineKey Conv = new(TimelineKind.Conversation, "c");
    private static readonly TimelineKey OtherConv = new(TimelineKind.Conversation, "d");
    private static readonly TimelineKey User = new(TimelineKind.User, "u");

    [SkippableFact]
    public async Task Replacing_a_block_changes_every_lookup_and_the_totals_exactly_and_survives_reopening()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        BlockInfo[] conv = await SealAsync(session, Conv, (1, 10), (11, 20), (21, 30));
        await SealAsync(session, User, (1, 30));
        BlockInfo rewritten = (await WriteAsync(session, Conv, (12, 18)))[0] with { Count = 4 };

        await session.Timelines.ReplaceBlocksAsync(Conv, [conv[1]], [rewritten]);

        await AssertIndexAsync(session, Conv, [conv[0], rewritten, conv[2]], entries: 24, lastSeq: 30);
        Assert.Equal(new DataSetSummary(1, 1, 4, 24, 30, Epoch + 30), await session.Timelines.GetSummaryAsync());
        Assert.Equal([rewritten, conv[2]], await session.Timelines.GetBlocksAfterAsync(Conv, 11, long.MaxValue, 10));
        Assert.Equal([rewritten], await session.Timelines.GetBlocksByTimeAsync(Conv, Epoch + 11, Epoch + 19, 0, long.MaxValue, 10));

        // Every entry of the newest block gone: no block replaces it, and the timeline's last sealed SeqId stays.
        await session.Timelines.ReplaceBlocksAsync(Conv, [conv[2]], []);

        await AssertIndexAsync(session, Conv, [conv[0], rewritten], entries: 14, lastSeq: 30);
        Assert.Equal(new DataSetSummary(1, 1, 3, 14, 30, Epoch + 30), await session.Timelines.GetSummaryAsync());
        Assert.Empty(await session.Timelines.GetBlocksAfterAsync(Conv, 18, long.MaxValue, 10));
        Assert.Empty(await session.Timelines.GetBlocksByTimeAsync(Conv, Epoch + 21, Epoch + 31, 0, long.MaxValue, 10));

        await session.DisposeAsync();
        session = await OpenSessionAsync();
        await AssertIndexAsync(session, Conv, [conv[0], rewritten], entries: 14, lastSeq: 30);
        Assert.Equal(new DataSetSummary(1, 1, 3, 14, 30, Epoch + 30), await session.Timelines.GetSummaryAsync());
        await session.DisposeAsync();
    }

    [SkippableFact]
    public async Task Replacing_user_blocks_leaves_the_message_total_alone()
    {
        await using IBlockStoreSession session = await OpenSessionAsync();
        await SealAsync(session, Conv, (1, 10));
        BlockInfo[] user = await SealAsync(session, User, (1, 5), (6, 10));
        BlockInfo[] merged = await WriteAsync(session, User, (2, 9));

        await session.Timelines.ReplaceBlocksAsync(User, user, merged);

        await AssertIndexAsync(session, User, merged, entries: 8, lastSeq: 10);
        Assert.Equal(new DataSetSummary(1, 1, 2, 10, 10, Epoch + 10), await session.Timelines.GetSummaryAsync());
    }

    [SkippableFact]
    public async Task A_replacement_that_names_a_block_not_recorded_or_of_another_timeline_is_refused_and_writes_nothing()
    {
        await using IBlockStoreSession session = await OpenSessionAsync();
        BlockInfo[] conv = await SealAsync(session, Conv, (1, 10), (11, 20));
        BlockInfo[] other = await SealAsync(session, OtherConv, (21, 30));
        BlockInfo[] added = await WriteAsync(session, Conv, (12, 15));
        DataSetSummary before = await session.Timelines.GetSummaryAsync();
        StoreIndex elsewhere = conv[1].Location with { Offset = conv[1].Location.Offset + 1 };

        var wrongLocation = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(Conv, [conv[0], conv[1] with { Location = elsewhere }], added).AsTask());
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(Conv, [conv[1] with { FirstSeqId = 12 }], added).AsTask());
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(Conv, [conv[1], conv[1]], added).AsTask());
        var foreign = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(Conv, [other[0]], added).AsTask());
        var foreignAdded = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(OtherConv, other, added).AsTask());
        var unordered = await Assert.ThrowsAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(Conv, conv, [.. added, added[0]]).AsTask());

        Assert.Equal(["removed", "removed", "removed", "removed", "added", "added"], new[] { wrongLocation, missing, twice, foreign, foreignAdded, unordered }.Select(static e => e.ParamName));
        Assert.Equal(before, await session.Timelines.GetSummaryAsync());
        await AssertIndexAsync(session, Conv, conv, entries: 20, lastSeq: 20);
        await AssertIndexAsync(session, OtherConv, other, entries: 10, lastSeq: 30);
    }

    [SkippableFact]
    public async Task Deleting_a_timeline_unregisters_it_and_drops_its_blocks_from_lookups_and_totals()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        await SealAsync(session, Conv, (1, 10), (11, 20));
        BlockInfo[] other = await SealAsync(session, OtherConv, (21, 30));
        await SealAsync(session, User, (1, 30));
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.User, "idle")]);

        await session.Timelines.DeleteTimelineAsync(Conv);
        await session.Timelines.DeleteTimelineAsync(new TimelineKey(TimelineKind.User, "idle"));
        await session.Timelines.DeleteTimelineAsync(new TimelineKey(TimelineKind.User, "never"));

        for (int round = 0; round < 2; round++)
        {
            Assert.Null(await session.Timelines.GetTimelineAsync(Conv, 10));
            Assert.Empty(await session.Timelines.GetBlocksBeforeAsync(Conv, long.MaxValue, 10));
            Assert.Empty(await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 10));
            Assert.Empty(await session.Timelines.GetBlocksByTimeAsync(Conv, 0, long.MaxValue, 0, long.MaxValue, 10));
            Assert.Equal(new DataSetSummary(1, 1, 2, 10, 30, Epoch + 30), await session.Timelines.GetSummaryAsync());
            Assert.Equal(["d", "u"], (await session.Timelines.LoadTimelinesAsync().ToListAsync()).Select(static k => k.Id).Order(StringComparer.Ordinal));
            Assert.Equal(["d", "u"], (await session.Timelines.LoadBlocksAsync().ToListAsync()).Select(static b => b.TimelineId));
            await AssertIndexAsync(session, OtherConv, other, entries: 10, lastSeq: 30);
            await session.DisposeAsync();
            session = await OpenSessionAsync();
        }

        await session.Timelines.DeleteTimelineAsync(User);
        Assert.Equal(new DataSetSummary(1, 0, 1, 10, 30, Epoch + 30), await session.Timelines.GetSummaryAsync());
        await session.DisposeAsync();
    }

    [SkippableFact]
    public async Task Released_blocks_are_unreadable_and_leave_the_stores_used_bytes_and_an_emptied_store_goes()
    {
        const int Size = 400;
        IBlockStoreSession session = await OpenSessionAsync(capacity: 1000);
        BlockInfo[] blocks = await SealAsync(session, Conv, Size, (1, 1), (2, 2), (3, 3), (4, 4));
        Assert.Equal([(1L, 0L), (1, Size), (2, 0), (2, Size)], blocks.Select(static b => (b.Location.StoreId, b.Location.Offset)));
        Assert.Equal([new StoreInfo(1, 1000, 800), new StoreInfo(2, 1000, 800)], await session.Blocks.GetStoresAsync());

        await session.Blocks.ReleaseBlocksAsync([blocks[0].Location]);
        await session.Blocks.ReleaseBlocksAsync([blocks[0].Location]);

        await AssertUnreadableAsync(session, blocks[0]);
        Assert.Equal(Content(blocks[1]), await ReadAsync(session, blocks[1]));
        Assert.Equal([new StoreInfo(1, 1000, Size), new StoreInfo(2, 1000, 800)], await session.Blocks.GetStoresAsync());

        // Store 1 emptied: it goes. Store 2 emptied too, but new blocks go there, so it stays until a later store takes its place.
        await session.Blocks.ReleaseBlocksAsync([blocks[1].Location, blocks[2].Location, blocks[3].Location]);

        Assert.Equal([new StoreInfo(2, 1000, 0)], await session.Blocks.GetStoresAsync());
        await session.ReclaimAsync();
        foreach (BlockInfo block in blocks)
        {
            await AssertUnreadableAsync(session, block);
        }

        await session.DisposeAsync();
        session = await OpenSessionAsync(capacity: 1000);
        Assert.Equal([new StoreInfo(2, 1000, 0)], await session.Blocks.GetStoresAsync());
        await AssertUnreadableAsync(session, blocks[3]);

        // Freed space in a store is not written again: the next block goes after the freed ones, into a new store.
        BlockInfo[] next = await WriteAsync(session, Conv, Size, (5, 5));
        Assert.Equal((3L, 0L), (next[0].Location.StoreId, next[0].Location.Offset));
        Assert.Equal(Content(next[0]), await ReadAsync(session, next[0]));
        Assert.Equal([new StoreInfo(2, 1000, 0), new StoreInfo(3, 1000, Size)], await session.Blocks.GetStoresAsync());
        await session.Blocks.ReleaseBlocksAsync([]);
        await session.ReclaimAsync();
        Assert.Equal([new StoreInfo(3, 1000, Size)], await session.Blocks.GetStoresAsync());
        Assert.Equal(Content(next[0]), await ReadAsync(session, next[0]));
        await session.DisposeAsync();
    }

    [SkippableFact]
    public async Task A_deleted_checkpoint_reads_as_zero_and_stays_deleted()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        await session.Checkpoints.SaveAsync([new("u", 5), new("v", 7)]);

        await session.Checkpoints.DeleteAsync("u");
        await session.Checkpoints.DeleteAsync("u");
        await session.Checkpoints.DeleteAsync("never");

        Assert.Equal((0L, 7L), (await session.Checkpoints.GetAsync("u"), await session.Checkpoints.GetAsync("v")));
        await session.DisposeAsync();
        session = await OpenSessionAsync();
        Assert.Equal((0L, 7L), (await session.Checkpoints.GetAsync("u"), await session.Checkpoints.GetAsync("v")));
        await session.DisposeAsync();
    }

    /// <summary>Opens a provider session on this test's data set; <paramref name="capacity"/> sets <see cref="BlockStoreOptions.MaxCapacity"/>.</summary>
    protected Task<IBlockStoreSession> OpenSessionAsync(long capacity = 1 << 20) =>
        Fixture.CreateProvider().OpenAsync(CreateOptions(o => o.MaxCapacity = capacity)).AsTask();

    /// <summary>The bytes a test block of <paramref name="timeline"/> covering <paramref name="seqs"/> holds: its SeqIds, repeated to <paramref name="size"/>.</summary>
    protected static byte[] Content(TimelineKey timeline, (long First, long Last) seqs, int size = 64)
    {
        byte[] pattern = Bytes($"{timeline.Kind}:{timeline.Id}:{seqs.First}-{seqs.Last};");
        var bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = pattern[i % pattern.Length];
        }

        return bytes;
    }

    /// <summary>Writes one block per SeqId range (one entry per SeqId, timestamps <c>Epoch + SeqId</c>) without recording it.</summary>
    protected static async Task<BlockInfo[]> WriteAsync(IBlockStoreSession session, TimelineKey timeline, int size, params (long First, long Last)[] ranges)
    {
        IReadOnlyList<StoreIndex> locations = await session.Blocks.WriteBlocksAsync([.. ranges.Select(r => (ReadOnlyMemory<byte>)Content(timeline, r, size))]);

        // The index keeps a block's creation time to the millisecond: compare with what a lookup returns.
        return [.. ranges.Select((r, i) => new BlockInfo(
            timeline.Kind, timeline.Id, r.First, r.Last, Epoch + r.First, Epoch + r.Last, (int)(r.Last - r.First + 1),
            locations[i] with { CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(locations[i].CreatedAt.ToUnixTimeMilliseconds()) }))];
    }

    /// <summary>Writes and records one block per SeqId range.</summary>
    protected static async Task<BlockInfo[]> SealAsync(IBlockStoreSession session, TimelineKey timeline, int size, params (long First, long Last)[] ranges)
    {
        BlockInfo[] blocks = await WriteAsync(session, timeline, size, ranges);
        await session.Timelines.CommitBlocksAsync(blocks, 0);
        return blocks;
    }

    /// <summary>The bytes a test block holds.</summary>
    protected static byte[] Content(BlockInfo block) => Content(new TimelineKey(block.Kind, block.TimelineId), (block.FirstSeqId, block.LastSeqId), block.Location.Size);

    private static Task<BlockInfo[]> WriteAsync(IBlockStoreSession session, TimelineKey timeline, params (long First, long Last)[] ranges) => WriteAsync(session, timeline, 64, ranges);

    private static Task<BlockInfo[]> SealAsync(IBlockStoreSession session, TimelineKey timeline, params (long First, long Last)[] ranges) => SealAsync(session, timeline, 64, ranges);

    private static async Task<byte[]> ReadAsync(IBlockStoreSession session, BlockInfo block)
    {
        var bytes = new byte[block.Location.Size];
        await session.Blocks.ReadBlockAsync(block.Location, bytes);
        return bytes;
    }

    private static async Task AssertUnreadableAsync(IBlockStoreSession session, BlockInfo block)
    {
        var error = await Assert.ThrowsAsync<CorruptBlockException>(() => ReadAsync(session, block));
        Assert.Contains($"store {block.Location.StoreId}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Checks what every lookup of <paramref name="timeline"/> answers: exactly <paramref name="blocks"/> (oldest first) and the given totals.</summary>
    private static async Task AssertIndexAsync(IBlockStoreSession session, TimelineKey timeline, IReadOnlyList<BlockInfo> blocks, long entries, long lastSeq)
    {
        TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(timeline, 10);
        Assert.NotNull(metadata);
        Assert.Equal((blocks.Count, entries, lastSeq), (metadata.SealedBlocks, metadata.SealedEntries, metadata.LastSealedSeqId));
        Assert.Equal(blocks, metadata.NewestBlocks);
        Assert.Equal(blocks.Reverse(), await session.Timelines.GetBlocksBeforeAsync(timeline, long.MaxValue, 10));
        Assert.Equal(blocks, await session.Timelines.GetBlocksAfterAsync(timeline, 0, long.MaxValue, 10));
        Assert.Equal(blocks, await session.Timelines.GetBlocksByTimeAsync(timeline, 0, long.MaxValue, 0, long.MaxValue, 10));
        foreach (BlockInfo block in blocks)
        {
            Assert.Equal(Content(block), await ReadAsync(session, block));
        }
    }
}
