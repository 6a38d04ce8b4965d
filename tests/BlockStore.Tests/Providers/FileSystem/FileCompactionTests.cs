using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The File provider's compaction primitives on disk: refusals, zeroed bytes, deleted store files, rewritten journal segments, concurrent lookups.</summary>
public sealed class FileCompactionTests : FileProviderTestBase
{
    private static readonly TimelineKey Conv = new(TimelineKind.Conversation, "c");

    private string BlockIndex => Path.Combine(MetaDir, FileLayout.TimelineBlocksFile);

    private string TimelineLog => Path.Combine(MetaDir, FileLayout.DirectoryName + ".log");

    [Fact]
    public async Task A_bad_replacement_is_refused_naming_the_parameter_and_writes_nothing()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Filled(20, 1), Filled(20, 2), Filled(20, 3)]);
        BlockInfo[] blocks = [Block("c", 1, at[0]), Block("c", 11, at[1])];
        await session.Timelines.CommitBlocksAsync(blocks, journalKeepFrom: 0);
        (long index, long log) = (new FileInfo(BlockIndex).Length, new FileInfo(TimelineLog).Length);

        async Task Refused(string paramName, TimelineKey key, IReadOnlyList<BlockInfo> removed, IReadOnlyList<BlockInfo> added) =>
            Assert.Equal(paramName, (await Assert.ThrowsAnyAsync<ArgumentException>(() => session.Timelines.ReplaceBlocksAsync(key, removed, added).AsTask())).ParamName);

        await Refused("removed", Conv, [Block("c", 5, at[0])], []);
        await Refused("removed", Conv, [Block("other", 1, at[0])], []);
        await Refused("removed", Conv, null!, []);
        await Refused("added", Conv, [blocks[0]], [Block("c", 11, at[2])]);
        await Refused("added", Conv, [blocks[0]], [Block("c", 1, at[2], TimelineKind.User)]);
        await Refused("added", Conv, [blocks[0]], [null!]);
        await Refused("key", new TimelineKey(TimelineKind.Conversation, "never-registered"), [], [Block("never-registered", 1, at[2])]);

        Assert.Equal((index, log), (new FileInfo(BlockIndex).Length, new FileInfo(TimelineLog).Length));
        Assert.Equal(blocks, await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 10));
    }

    [Fact]
    public async Task Released_bytes_are_zeroed_in_the_store_file_and_a_store_freed_across_a_reopen_is_deleted()
    {
        IBlockStoreSession session = await OpenAsync(o => o.MaxCapacity = 1024);
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([.. Enumerable.Range(1, 6).Select(i => (ReadOnlyMemory<byte>)Filled(400, (byte)i))]);
        Assert.Equal([1L, 1L, 2L, 2L, 3L, 3L], at.Select(l => l.StoreId));
        string store1 = Path.Combine(StoresDir, StoreFile.FileName(1));

        await session.Blocks.ReleaseBlocksAsync([at[0]]);

        byte[] bytes = await File.ReadAllBytesAsync(store1);
        Assert.All(bytes.AsSpan((int)at[0].Offset, at[0].Size).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(Filled(400, 2), bytes.AsSpan((int)at[1].Offset, at[1].Size).ToArray());

        session = await ReopenAsync(session, o => o.MaxCapacity = 1024);
        await session.Blocks.ReleaseBlocksAsync([at[1], at[4], at[5]]);

        Assert.False(File.Exists(store1), "store 1 has every block freed");
        Assert.True(File.Exists(Path.Combine(StoresDir, StoreFile.FileName(3))), "the store blocks are appended to stays");
        Assert.Equal([2L, 3L], (await session.Blocks.GetStoresAsync()).Select(s => s.StoreId));
        Assert.Equal(FileHeader.Size, (await session.Blocks.GetStoresAsync())[1].UsedBytes);
        var read = new byte[400];
        await session.Blocks.ReadBlockAsync(at[2], read);
        Assert.Equal(Filled(400, 3), read);
        await Assert.ThrowsAsync<CorruptBlockException>(() => session.Blocks.ReadBlockAsync(at[0], read).AsTask());
    }

    [Fact]
    public async Task A_reclaim_deletes_trimmed_segments_and_rewrites_the_one_that_still_holds_live_records()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.JournalSegmentBytes = 300);
        for (long id = 1; id <= 12; id++)
        {
            await session.Timelines.AppendJournalAsync(id, Encoding.UTF8.GetBytes($"record {id:D2} " + new string('x', 60)));
        }

        string[] before = Directory.GetFiles(JournalDir);
        Assert.True(before.Length >= 3, $"{before.Length} segments");
        await session.Timelines.CommitBlocksAsync([], journalKeepFrom: 6);

        await session.ReclaimAsync();
        await AppendAndCheckAsync(session, 13);
        session = await ReopenAsync(session, configureFile: f => f.JournalSegmentBytes = 300);

        await AppendAndCheckAsync(session, 14);
        string journal = string.Concat(Directory.GetFiles(JournalDir).Select(f => Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.All(Enumerable.Range(1, 5), id => Assert.DoesNotContain($"record {id:D2} ", journal, StringComparison.Ordinal));
        Assert.All(Enumerable.Range(6, 9), id => Assert.Contains($"record {id:D2} ", journal, StringComparison.Ordinal));

        static async Task AppendAndCheckAsync(IBlockStoreSession session, long id)
        {
            await session.Timelines.AppendJournalAsync(id, Encoding.UTF8.GetBytes($"record {id:D2} " + new string('x', 60)));
            Assert.Equal(Enumerable.Range(6, (int)id - 5).Select(i => (long)i), (await ToListAsync(session.Timelines.ReadJournalAsync())).Select(r => r.Id));
        }
    }

    [Fact]
    public async Task After_a_reclaim_the_metadata_files_no_longer_name_a_deleted_timeline_or_checkpoint()
    {
        IBlockStoreSession session = await OpenAsync();
        const string Erased = "erased-user-5c1d";
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.User, Erased), new TimelineKey(TimelineKind.User, "kept")]);
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>(Erased, 3), new KeyValuePair<string, long>("kept", 4)]);
        await session.Timelines.DeleteTimelineAsync(new TimelineKey(TimelineKind.User, Erased));
        await session.Checkpoints.DeleteAsync(Erased);
        Assert.True(MetaFilesContain(Erased), "the id should be in the logs before the reclaim");

        await session.ReclaimAsync();
        session = await ReopenAsync(session);

        Assert.False(MetaFilesContain(Erased), "a deleted id is still in the metadata files");
        Assert.Equal([new TimelineKey(TimelineKind.User, "kept")], await ToListAsync(session.Timelines.LoadTimelinesAsync()));
        Assert.Equal((0L, 4L), (await session.Checkpoints.GetAsync(Erased), await session.Checkpoints.GetAsync("kept")));
    }

    [Fact]
    public async Task Lookups_while_blocks_are_replaced_see_the_old_blocks_or_the_new_never_a_mix()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([.. Enumerable.Range(1, 8).Select(i => (ReadOnlyMemory<byte>)Filled(20, (byte)i))]);
        BlockInfo[] split = [.. Enumerable.Range(0, 6).Select(i => Block("c", 1 + (2 * i), at[i]))];
        BlockInfo merged = new(TimelineKind.Conversation, "c", 3, 8, 1003, 1008, 5, at[6]);
        BlockInfo[] joined = [split[0], merged, split[4], split[5]];
        await session.Timelines.CommitBlocksAsync(split, journalKeepFrom: 0);
        using var done = new CancellationTokenSource();

        Task<int>[] readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            int reads = 0;
            while (!done.IsCancellationRequested || reads == 0)
            {
                IReadOnlyList<BlockInfo> seen = await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 100);
                Assert.True(seen.SequenceEqual(split) || seen.SequenceEqual(joined), $"a lookup saw a mix: {string.Join(", ", seen.Select(b => b.FirstSeqId))}");
                TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(Conv, 100);
                Assert.True(
                    metadata!.NewestBlocks.SequenceEqual(split) ? metadata.SealedEntries == 12 : metadata.NewestBlocks.SequenceEqual(joined) && metadata.SealedEntries == 11,
                    $"the totals do not match the blocks: {metadata.SealedBlocks} blocks, {metadata.SealedEntries} entries");
                reads++;
            }

            return reads;
        }))];

        for (int round = 0; round < 200; round++)
        {
            await session.Timelines.ReplaceBlocksAsync(Conv, split[1..4], [merged]);
            await session.Timelines.ReplaceBlocksAsync(Conv, [merged], split[1..4]);
        }

        done.Cancel();
        Assert.All(await Task.WhenAll(readers), reads => Assert.True(reads > 0));
        Assert.Equal(split, await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 100));
    }

    private bool MetaFilesContain(string text)
    {
        byte[] needle = Encoding.UTF8.GetBytes(text);
        return Directory.GetFiles(MetaDir).Any(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0);
    }
}
