using System.Text;
using BlockStore.Providers;

namespace BlockStore.Tests.Contract;

/// <summary>
/// The provider primitives compaction and erasure are built on, called directly on a provider's session: replacing and deleting
/// a timeline's blocks, freeing block bytes, reclaiming space, deleting a checkpoint. A provider runs them through one sealed subclass.
/// </summary>
public abstract class CompactionPrimitiveTests(IProviderFixture fixture) : StoreTestBase(fixture)
{
    private static readonly TimelineKey Conv = new(TimelineKind.Conversation, "c");
    private static readonly TimelineKey User = new(TimelineKind.User, "u");
    private readonly List<IBlockStoreSession> _sessions = [];

    [SkippableFact]
    public async Task Replacing_blocks_inside_a_timeline_changes_every_lookup_and_the_totals_and_survives_a_reopen()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        List<BlockInfo> blocks = await SealAsync(session, Conv, 5);
        await SealAsync(session, User, 2);
        BlockInfo merged = (await SealedBlocksAsync(session, Conv, [(blocks[1].FirstSeqId, blocks[2].LastSeqId, 3)]))[0];

        await session.Timelines.ReplaceBlocksAsync(Conv, [blocks[1], blocks[2]], [merged]);

        BlockInfo[] expected = [blocks[0], merged, blocks[3], blocks[4]];
        for (int round = 0; round < 2; round++)
        {
            TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(Conv, 2);
            Assert.NotNull(metadata);
            Assert.Equal((4, 2 + 3 + 2 + 2, blocks[4].LastSeqId), (metadata.SealedBlocks, metadata.SealedEntries, metadata.LastSealedSeqId));
            Assert.Equal(expected[2..], metadata.NewestBlocks);
            Assert.Equal([merged, blocks[0]], await session.Timelines.GetBlocksBeforeAsync(Conv, blocks[3].FirstSeqId, 10));
            Assert.Equal(expected[1..3], await session.Timelines.GetBlocksAfterAsync(Conv, blocks[0].LastSeqId, blocks[4].FirstSeqId, 10));
            Assert.Equal(
                expected[..2],
                await session.Timelines.GetBlocksByTimeAsync(Conv, blocks[0].FirstTimestamp, blocks[3].FirstTimestamp, 0, long.MaxValue, 10));
            Assert.Equal(expected, (await session.Timelines.LoadBlocksAsync().ToListAsync()).Where(b => b.Kind == TimelineKind.Conversation));
            DataSetSummary summary = await session.Timelines.GetSummaryAsync();
            Assert.Equal((1L, 1L, 4L + 2L, 9L), (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks, summary.SealedMessages));
            session = await ReopenSessionAsync(session);
        }
    }

    [SkippableFact]
    public async Task Dropping_the_newest_blocks_keeps_the_timeline_registered_and_its_last_sealed_SeqId()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        List<BlockInfo> blocks = await SealAsync(session, Conv, 3);

        await session.Timelines.ReplaceBlocksAsync(Conv, [blocks[2]], []);
        TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(Conv, 5);
        Assert.Equal((2, 4L, blocks[2].LastSeqId), (metadata!.SealedBlocks, metadata.SealedEntries, metadata.LastSealedSeqId));
        Assert.Equal(blocks[..2], metadata.NewestBlocks);

        await session.Timelines.ReplaceBlocksAsync(Conv, blocks[..2], []);
        session = await ReopenSessionAsync(session);
        metadata = await session.Timelines.GetTimelineAsync(Conv, 5);
        Assert.Equal((0, 0L, blocks[2].LastSeqId), (metadata!.SealedBlocks, metadata.SealedEntries, metadata.LastSealedSeqId));
        Assert.Empty(metadata.NewestBlocks);
        Assert.Empty(await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 10));
        Assert.Equal(new DataSetSummary(1, 0, 0, 0, blocks[2].LastSeqId, blocks[2].LastTimestamp), await session.Timelines.GetSummaryAsync());

        // Blocks sealed later chain on as usual.
        List<BlockInfo> later = await SealAsync(session, Conv, 1, firstSeqId: blocks[2].LastSeqId + 1);
        Assert.Equal(later, await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 10));
    }

    [SkippableFact]
    public async Task Deleting_a_timeline_drops_it_and_its_blocks_from_every_lookup_and_the_totals()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        await SealAsync(session, Conv, 3);
        List<BlockInfo> kept = await SealAsync(session, User, 2);

        await session.Timelines.DeleteTimelineAsync(Conv);
        await session.Timelines.DeleteTimelineAsync(Conv);
        await session.Timelines.DeleteTimelineAsync(new TimelineKey(TimelineKind.Conversation, "never-registered"));

        for (int round = 0; round < 2; round++)
        {
            Assert.Null(await session.Timelines.GetTimelineAsync(Conv, 5));
            Assert.Empty(await session.Timelines.GetBlocksBeforeAsync(Conv, long.MaxValue, 10));
            Assert.Equal([User], await session.Timelines.LoadTimelinesAsync().ToListAsync());
            Assert.Equal(kept, await session.Timelines.LoadBlocksAsync().ToListAsync());
            DataSetSummary summary = await session.Timelines.GetSummaryAsync();
            Assert.Equal((0L, 1L, 2L, 0L), (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks, summary.SealedMessages));
            session = await ReopenSessionAsync(session);
        }

        await session.Timelines.RegisterTimelinesAsync([Conv]);
        TimelineMetadata? again = await session.Timelines.GetTimelineAsync(Conv, 5);
        Assert.Equal((0, 0L, 0L), (again!.SealedBlocks, again.SealedEntries, again.LastSealedSeqId));
    }

    [SkippableFact]
    public async Task Released_blocks_read_as_corrupt_and_are_no_longer_counted_and_releasing_twice_is_harmless()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        List<BlockInfo> blocks = await SealAsync(session, Conv, 4);
        long usedBefore = (await session.Blocks.GetStoresAsync()).Sum(s => s.UsedBytes);

        StoreIndex[] released = [blocks[1].Location, blocks[2].Location];
        await session.Blocks.ReleaseBlocksAsync(released);
        await session.Blocks.ReleaseBlocksAsync(released);

        for (int round = 0; round < 2; round++)
        {
            Assert.Equal(usedBefore - released.Sum(b => b.Size), (await session.Blocks.GetStoresAsync()).Sum(s => s.UsedBytes));
            foreach (StoreIndex location in released)
            {
                await Assert.ThrowsAsync<CorruptBlockException>(() => session.Blocks.ReadBlockAsync(location, new byte[location.Size]).AsTask());
            }

            Assert.Equal(Content(Conv, blocks[3].FirstSeqId), await ReadAsync(session, blocks[3].Location));
            session = await ReopenSessionAsync(session);
        }
    }

    [SkippableFact]
    public async Task A_store_whose_blocks_are_all_freed_is_gone_but_the_store_new_blocks_go_to_stays()
    {
        IBlockStoreSession session = await OpenSessionAsync(o => o.MaxCapacity = 1024);
        List<BlockInfo> blocks = await SealAsync(session, Conv, 12, size: 300);
        IReadOnlyList<StoreInfo> stores = await session.Blocks.GetStoresAsync();
        Assert.True(stores.Count >= 3, $"{stores.Count} stores");
        long first = stores[0].StoreId;
        long newest = stores[^1].StoreId;

        await session.Blocks.ReleaseBlocksAsync([.. blocks.Where(b => b.Location.StoreId == first || b.Location.StoreId == newest).Select(b => b.Location)]);
        await session.ReclaimAsync();

        for (int round = 0; round < 2; round++)
        {
            long[] ids = [.. (await session.Blocks.GetStoresAsync()).Select(s => s.StoreId)];
            Assert.DoesNotContain(first, ids);
            Assert.Contains(newest, ids);
            foreach (BlockInfo block in blocks.Where(b => b.Location.StoreId != first && b.Location.StoreId != newest))
            {
                Assert.Equal(Content(Conv, block.FirstSeqId, 300), await ReadAsync(session, block.Location));
            }

            session = await ReopenSessionAsync(session, o => o.MaxCapacity = 1024);
        }

        StoreIndex[] placed = [.. await session.Blocks.WriteBlocksAsync([Content(Conv, 1000)])];
        Assert.True(placed[0].StoreId >= newest, $"a new block went to store {placed[0].StoreId}, before the newest {newest}");
    }

    [SkippableFact]
    public async Task After_a_reclaim_no_file_holds_a_byte_of_a_freed_block_or_a_trimmed_journal_record()
    {
        RequireDataDir();
        IBlockStoreSession session = await OpenSessionAsync();
        const string Marker = "forget-me-7f3a";
        await session.Timelines.AppendJournalAsync(1, Encoding.UTF8.GetBytes($"{Marker} journal record 1"));
        await session.Timelines.AppendJournalAsync(2, Encoding.UTF8.GetBytes($"{Marker} journal record 2"));
        await session.Timelines.AppendJournalAsync(3, Encoding.UTF8.GetBytes("still open 3"));
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Encoding.UTF8.GetBytes($"{Marker} block"), Content(Conv, 3)]);
        BlockInfo forgotten = Block(Conv, 1, 2, at[0]);
        await session.Timelines.CommitBlocksAsync([forgotten, Block(Conv, 3, 2, at[1])], journalKeepFrom: 3);
        Assert.True(FilesContain(Marker), "the marker should be on disk before the reclaim");

        await session.Timelines.ReplaceBlocksAsync(Conv, [forgotten], []);
        await session.Blocks.ReleaseBlocksAsync([forgotten.Location]);
        await session.ReclaimAsync();
        await session.DisposeAsync();

        Assert.False(FilesContain(Marker), "a byte of a freed block or a trimmed journal record is still on disk");
        session = await OpenSessionAsync();
        Assert.Equal([3L], (await session.Timelines.ReadJournalAsync().ToListAsync()).Select(r => r.Id));
        Assert.Equal(Content(Conv, 3), await ReadAsync(session, at[1]));
    }

    [SkippableFact]
    public async Task A_deleted_checkpoint_reads_zero_and_stays_deleted()
    {
        IBlockStoreSession session = await OpenSessionAsync();
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("gone", 7), new KeyValuePair<string, long>("kept", 5)]);

        await session.Checkpoints.DeleteAsync("gone");
        await session.Checkpoints.DeleteAsync("gone");
        await session.Checkpoints.DeleteAsync("never-saved");
        session = await ReopenSessionAsync(session);

        Assert.Equal((0L, 5L), (await session.Checkpoints.GetAsync("gone"), await session.Checkpoints.GetAsync("kept")));
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("gone", 2)]);
        Assert.Equal(2L, await session.Checkpoints.GetAsync("gone"));
    }

    /// <summary>Opens the fixture's provider directly; the session is closed after the test unless closed before.</summary>
    private async Task<IBlockStoreSession> OpenSessionAsync(Action<BlockStoreOptions>? configure = null)
    {
        IBlockStoreSession session = await Fixture.CreateProvider().OpenAsync(CreateOptions(configure));
        _sessions.Add(session);
        return session;
    }

    public override async Task DisposeAsync()
    {
        foreach (IBlockStoreSession session in _sessions)
        {
            await session.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private async Task<IBlockStoreSession> ReopenSessionAsync(IBlockStoreSession session, Action<BlockStoreOptions>? configure = null)
    {
        _sessions.Remove(session);
        await session.DisposeAsync();
        return await OpenSessionAsync(configure);
    }

    /// <summary>Writes and commits <paramref name="count"/> blocks of two entries each to <paramref name="key"/>, from <paramref name="firstSeqId"/> on.</summary>
    private static async Task<List<BlockInfo>> SealAsync(IBlockStoreSession session, TimelineKey key, int count, long firstSeqId = 1, int size = 0)
    {
        var ranges = new (long First, long Last, int Count)[count];
        for (int i = 0; i < count; i++)
        {
            ranges[i] = (firstSeqId + (2 * i), firstSeqId + (2 * i) + 1, 2);
        }

        List<BlockInfo> blocks = await SealedBlocksAsync(session, key, ranges, size);
        await session.Timelines.CommitBlocksAsync(blocks, journalKeepFrom: 0);
        return blocks;
    }

    /// <summary>Writes one block per range and returns their records, not committed.</summary>
    private static async Task<List<BlockInfo>> SealedBlocksAsync(IBlockStoreSession session, TimelineKey key, (long First, long Last, int Count)[] ranges, int size = 0)
    {
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([.. ranges.Select(r => (ReadOnlyMemory<byte>)Content(key, r.First, size))]);
        return [.. ranges.Select((r, i) => Block(key, r.First, r.Count, at[i]) with { LastSeqId = r.Last, LastTimestamp = 1000 + r.Last })];
    }

    private static BlockInfo Block(TimelineKey key, long firstSeqId, int count, StoreIndex location) =>
        new(key.Kind, key.Id, firstSeqId, firstSeqId + count - 1, 1000 + firstSeqId, 1000 + firstSeqId + count - 1, count, location);

    /// <summary>The bytes of a test block: never all zeros, different for every timeline and SeqId.</summary>
    private static byte[] Content(TimelineKey key, long firstSeqId, int size = 0)
    {
        byte[] text = Encoding.UTF8.GetBytes($"block {key.Kind} {key.Id} {firstSeqId};");
        return size <= text.Length ? text : [.. Enumerable.Range(0, size).Select(i => text[i % text.Length])];
    }

    private static async Task<byte[]> ReadAsync(IBlockStoreSession session, StoreIndex location)
    {
        var bytes = new byte[location.Size];
        await session.Blocks.ReadBlockAsync(location, bytes);
        return bytes;
    }

    private bool FilesContain(string marker)
    {
        byte[] needle = Encoding.UTF8.GetBytes(marker);
        return Directory.EnumerateFiles(DataDir, "*", SearchOption.AllDirectories)
            .Any(path => path.EndsWith(".lock", StringComparison.Ordinal) is false && File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0);
    }
}
