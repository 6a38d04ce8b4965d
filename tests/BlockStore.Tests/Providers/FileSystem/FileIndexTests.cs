using System.Buffers.Binary;
using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The File provider's on-disk timeline index: range lookups over block chains, migration of older data sets, damage.</summary>
public sealed class FileIndexTests : FileProviderTestBase
{
    private string TimelineLog => Path.Combine(MetaDir, "timelines.log");

    private string TimelineSnapshot => Path.Combine(MetaDir, "timelines.snapshot");

    private string BlockIndex => Path.Combine(MetaDir, "timelines.blocks");

    private string DirectoryTable => Path.Combine(MetaDir, "directory.table");

    private string DirectoryLog => Path.Combine(MetaDir, "directory.log");

    [Fact]
    public async Task Range_lookups_walk_one_timelines_chain_and_survive_a_restart()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.SnapshotThresholdBytes = 1);
        var expected = new List<BlockInfo>();
        for (int i = 0; i < 12; i++)
        {
            IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Filled(20, (byte)i), Filled(20, (byte)(i + 100))]);
            BlockInfo mine = Block("mine", (i * 10) + 1, at[0]);
            await session.Timelines.CommitBlocksAsync([mine, Block("other", (i * 10) + 1, at[1])], journalKeepFrom: i);
            expected.Add(mine);
        }

        session = await ReopenAsync(session);
        var key = new TimelineKey(TimelineKind.Conversation, "mine");
        TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(key, 3);

        Assert.NotNull(metadata);
        Assert.Equal((12, expected.Sum(b => (long)b.Count), expected[^1].LastSeqId), (metadata.SealedBlocks, metadata.SealedEntries, metadata.LastSealedSeqId));
        Assert.Equal(expected[^3..], metadata.NewestBlocks);
        Assert.Equal([expected[4], expected[3]], await session.Timelines.GetBlocksBeforeAsync(key, expected[5].FirstSeqId, 2));
        Assert.Equal(expected[3..6], await session.Timelines.GetBlocksAfterAsync(key, expected[2].LastSeqId, long.MaxValue, 3));
        Assert.Equal(expected[3..5], await session.Timelines.GetBlocksAfterAsync(key, expected[3].FirstSeqId, expected[5].FirstSeqId, 10));
        Assert.Equal(
            expected[2..4],
            await session.Timelines.GetBlocksByTimeAsync(key, expected[2].FirstTimestamp, expected[4].FirstTimestamp, 0, long.MaxValue, 10));
        Assert.Null(await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.User, "mine"), 3));
        DataSetSummary summary = await session.Timelines.GetSummaryAsync();
        Assert.Equal((2L, 0L, 24L, expected[^1].LastSeqId), (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks, summary.MaxSeqId));
    }

    [Fact]
    public async Task A_data_set_written_before_the_block_index_is_migrated_on_open()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Filled(20, 1), Filled(20, 2), Filled(20, 3)]);
        BlockInfo[] blocks = [Block("c", 1, at[0]), Block("c", 11, at[1]), Block("u", 1, at[2], TimelineKind.User)];
        await CloseAsync(session);

        // The metadata as the earlier format wrote it: registrations and commits holding the whole block lists, no block index.
        File.Delete(BlockIndex);
        using (SnapshotLog log = SnapshotLog.Open(MetaDir, "timelines", FileKind.TimelineSnapshot, FileKind.TimelineLog, Durability.Full, long.MaxValue, static _ => { }))
        {
            using var record = new RecordBuffer();
            record.WriteByte(1);
            record.WriteInt32(1);
            record.WriteByte((byte)TimelineKind.User);
            record.WriteString("idle");
            log.Append(record.WrittenSpan);
            record.Clear();
            record.WriteByte(2);
            record.WriteInt64(21);
            record.WriteInt32(blocks.Length);
            foreach (BlockInfo block in blocks)
            {
                record.WriteByte((byte)block.Kind);
                record.WriteString(block.TimelineId);
                record.WriteInt64(block.FirstSeqId);
                record.WriteInt64(block.LastSeqId);
                record.WriteInt64(block.FirstTimestamp);
                record.WriteInt64(block.LastTimestamp);
                record.WriteInt32(block.Count);
                record.WriteInt64(block.Location.StoreId);
                record.WriteInt64(block.Location.Offset);
                record.WriteInt32(block.Location.Size);
                record.WriteInt64(block.Location.CreatedAt.ToUnixTimeMilliseconds());
            }

            log.Append(record.WrittenSpan);
        }

        session = await OpenAsync();

        Assert.True(File.Exists(BlockIndex));
        Assert.True(File.Exists(DirectoryTable));
        Assert.False(File.Exists(TimelineSnapshot));
        Assert.False(File.Exists(TimelineLog));
        Assert.Equal(FileHeader.Size, new FileInfo(DirectoryLog).Length);
        Assert.Equal(blocks, await ToListAsync(session.Timelines.LoadBlocksAsync()));
        Assert.Equal(3, (await ToListAsync(session.Timelines.LoadTimelinesAsync())).Count);
        TimelineMetadata? c = await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.Conversation, "c"), 1);
        Assert.Equal((2, blocks[1].LastSeqId, blocks[1]), (c!.SealedBlocks, c.LastSealedSeqId, c.NewestBlocks.Single()));
        DataSetSummary summary = await session.Timelines.GetSummaryAsync();
        Assert.Equal((1L, 2L, 3L, blocks[0].Count + (long)blocks[1].Count), (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks, summary.SealedMessages));

        session = await ReopenAsync(session);
        Assert.Equal(blocks, await ToListAsync(session.Timelines.LoadBlocksAsync()));
    }

    [Fact]
    public async Task A_damaged_block_record_is_reported_naming_the_index_file()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Filled(20, 1)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 1, at[0])], journalKeepFrom: 0);
        await CloseAsync(session);
        byte[] bytes = await File.ReadAllBytesAsync(BlockIndex);
        bytes[FileHeader.Size + RecordFrame.HeaderSize + 12] ^= 0x40;
        await File.WriteAllBytesAsync(BlockIndex, bytes);

        session = await OpenAsync();
        var error = await Assert.ThrowsAsync<BlockStoreException>(
            async () => await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.Conversation, "c"), 1));

        Assert.Contains(BlockIndex, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Block_records_left_by_a_failed_commit_are_never_reached()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([Filled(20, 1), Filled(20, 2)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 1, at[0])], journalKeepFrom: 0);
        await CloseAsync(session);

        // As if a commit wrote its block record, then stopped before its metadata record: garbage after the last reachable record.
        await using (FileStream file = new(BlockIndex, FileMode.Append))
        {
            await file.WriteAsync(Filled(BlockIndexFile.FrameSize + 7, 9));
        }

        session = await OpenAsync();
        await session.Timelines.CommitBlocksAsync([Block("c", 11, at[1])], journalKeepFrom: 0);
        session = await ReopenAsync(session);

        Assert.Equal([1, 11], (await ToListAsync(session.Timelines.LoadBlocksAsync())).Select(b => b.FirstSeqId));
    }

    [Fact]
    public async Task A_lookup_in_a_long_chain_reads_a_logarithmic_number_of_block_records()
    {
        const int Blocks = 4096;
        IBlockStoreSession session = await OpenAsync();
        BlockInfo[] chain = Chain("long", Blocks);
        for (int i = 0; i < Blocks; i += 512)
        {
            await session.Timelines.CommitBlocksAsync(chain[i..(i + 512)], journalKeepFrom: 0);
        }

        session = await ReopenAsync(session);
        var key = new TimelineKey(TimelineKind.Conversation, "long");
        var repository = (FileTimelineRepository)session.Timelines;
        const long Bound = 6 * 12; // six reads per halving of the 4096-block chain, however the lookup is asked
        foreach (int at in new[] { 0, 1, Blocks / 3, Blocks - 2 })
        {
            long before = repository.IndexRecordsRead;
            Assert.Equal([chain[at]], await session.Timelines.GetBlocksBeforeAsync(key, chain[at].LastSeqId, 1));
            Assert.Equal([chain[at]], await session.Timelines.GetBlocksAfterAsync(key, chain[at].FirstSeqId - 1, long.MaxValue, 1));
            Assert.Equal([chain[at]], await session.Timelines.GetBlocksByTimeAsync(key, chain[at].LastTimestamp, long.MaxValue, chain[at].FirstSeqId - 1, long.MaxValue, 1));
            long read = repository.IndexRecordsRead - before;
            Assert.True(read <= 3 * Bound, $"three lookups of block {at} of {Blocks} read {read} block records");
        }
    }

    [Fact]
    public async Task Range_lookups_over_chains_grown_by_many_commits_match_a_scan()
    {
        IBlockStoreSession session = await OpenAsync();
        BlockInfo[] chain = Chain("c", 300);
        var random = new Random(12);
        for (int i = 0; i < chain.Length;)
        {
            int take = Math.Min(random.Next(1, 40), chain.Length - i);
            BlockInfo[] others = Chain("other", take, firstIndex: i);
            await session.Timelines.CommitBlocksAsync([.. chain[i..(i + take)], .. others], journalKeepFrom: 0);
            i += take;
        }

        session = await ReopenAsync(session);
        var key = new TimelineKey(TimelineKind.Conversation, "c");
        for (int q = 0; q < 400; q++)
        {
            long a = random.Next(0, 3100);
            long b = random.Next(0, 3100);
            int max = random.Next(1, 12);
            long fromMs = random.Next(900, 1400);
            long toMs = fromMs + random.Next(0, 200);
            Assert.Equal(chain.Where(c => c.FirstSeqId < b).Reverse().Take(max), await session.Timelines.GetBlocksBeforeAsync(key, b, max));
            Assert.Equal(chain.Where(c => c.LastSeqId > a && c.FirstSeqId < b).Take(max), await session.Timelines.GetBlocksAfterAsync(key, a, b, max));
            Assert.Equal(
                chain.Where(c => c.LastTimestamp >= fromMs && c.FirstTimestamp < toMs && c.LastSeqId > a && c.FirstSeqId < b).Take(max),
                await session.Timelines.GetBlocksByTimeAsync(key, fromMs, toMs, a, b, max));
        }

        Assert.Equal(chain, (await ToListAsync(session.Timelines.LoadBlocksAsync())).Where(c => c.TimelineId == "c"));
    }

    [Fact]
    public async Task A_block_index_written_before_skip_links_stays_readable_and_grows()
    {
        IBlockStoreSession session = await OpenAsync();
        await CloseAsync(session);
        BlockInfo[] chain = Chain("c", 40);

        // The index and metadata as the earlier format wrote them: 76-byte block records linked only to their previous.
        const int LegacyFrame = RecordFrame.HeaderSize + BlockIndexFile.LegacyBodySize;
        var offsets = new long[30];
        await using (FileStream file = new(BlockIndex, FileMode.Append))
        {
            for (int i = 0; i < offsets.Length; i++)
            {
                offsets[i] = file.Position;
                var frame = new byte[LegacyFrame];
                Span<byte> body = frame.AsSpan(RecordFrame.HeaderSize);
                BlockInfo block = chain[i];
                BinaryPrimitives.WriteInt64LittleEndian(body, i == 0 ? 0 : offsets[i - 1]);
                BinaryPrimitives.WriteInt64LittleEndian(body[8..], block.FirstSeqId);
                BinaryPrimitives.WriteInt64LittleEndian(body[16..], block.LastSeqId);
                BinaryPrimitives.WriteInt64LittleEndian(body[24..], block.FirstTimestamp);
                BinaryPrimitives.WriteInt64LittleEndian(body[32..], block.LastTimestamp);
                BinaryPrimitives.WriteInt32LittleEndian(body[40..], block.Count);
                BinaryPrimitives.WriteInt64LittleEndian(body[44..], block.Location.StoreId);
                BinaryPrimitives.WriteInt64LittleEndian(body[52..], block.Location.Offset);
                BinaryPrimitives.WriteInt32LittleEndian(body[60..], block.Location.Size);
                BinaryPrimitives.WriteInt64LittleEndian(body[64..], block.Location.CreatedAt.ToUnixTimeMilliseconds());
                RecordFrame.WriteHeader(frame, body, []);
                await file.WriteAsync(frame);
            }
        }

        using (SnapshotLog log = SnapshotLog.Open(MetaDir, "timelines", FileKind.TimelineSnapshot, FileKind.TimelineLog, Durability.Full, long.MaxValue, static _ => { }))
        {
            using var record = new RecordBuffer();
            record.WriteByte(3);
            record.WriteInt64(0);
            record.WriteInt32(offsets.Length);
            for (int i = 0; i < offsets.Length; i++)
            {
                record.WriteByte((byte)TimelineKind.Conversation);
                record.WriteString("c");
                record.WriteInt64(offsets[i]);
                record.WriteInt32(chain[i].Count);
                record.WriteInt64(chain[i].FirstSeqId);
                record.WriteInt64(chain[i].LastSeqId);
                record.WriteInt64(chain[i].LastTimestamp);
            }

            log.Append(record.WrittenSpan);
        }

        session = await OpenAsync();
        var key = new TimelineKey(TimelineKind.Conversation, "c");
        Assert.Equal([chain[3], chain[2]], await session.Timelines.GetBlocksBeforeAsync(key, chain[4].FirstSeqId, 2));
        for (int i = 30; i < chain.Length; i++)
        {
            await session.Timelines.CommitBlocksAsync([chain[i]], journalKeepFrom: 0);
        }

        session = await ReopenAsync(session);
        Assert.Equal(chain, await ToListAsync(session.Timelines.LoadBlocksAsync()));
        for (int i = 0; i < chain.Length; i++)
        {
            Assert.Equal([chain[i]], await session.Timelines.GetBlocksBeforeAsync(key, chain[i].LastSeqId, 1));
            Assert.Equal(chain[i..Math.Min(i + 3, chain.Length)], await session.Timelines.GetBlocksAfterAsync(key, chain[i].FirstSeqId - 1, long.MaxValue, 3));
        }
    }

    [Fact]
    public async Task The_key_directory_keeps_only_its_page_index_and_a_bounded_set_of_recent_changes_in_memory()
    {
        const int Timelines = 20_000;
        static void Small(FileBlockStoreOptions f) => f.SnapshotThresholdBytes = 64 * 1024;
        IBlockStoreSession session = await OpenAsync(configureFile: Small);
        for (int b = 0; b < Timelines; b += 500)
        {
            await session.Timelines.RegisterTimelinesAsync([.. Enumerable.Range(b, 500).Select(i => new TimelineKey(TimelineKind.User, $"user-{i:D6}"))]);
        }

        await session.Timelines.CommitBlocksAsync([Block("user-000042", 1, new StoreIndex(1, FileHeader.Size, 16, DateTimeOffset.UnixEpoch), TimelineKind.User)], journalKeepFrom: 0);
        for (int round = 0; round < 2; round++)
        {
            var directory = ((FileTimelineRepository)session.Timelines).Directory;

            // A registration logs about 50 bytes, so 64 KiB of log holds fewer than 1,400 changes; the 20,000 entries are in pages.
            Assert.InRange(directory.MemtableCount, 0, 1400);
            Assert.InRange(directory.PageCount, 200, 400);
            DataSetSummary summary = await session.Timelines.GetSummaryAsync();
            Assert.Equal((0L, (long)Timelines, 1L), (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks));
            for (int i = 0; i < Timelines; i += 97)
            {
                TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.User, $"user-{i:D6}"), 4);
                Assert.Equal(i == 42 ? 1 : 0, metadata!.SealedBlocks);
            }

            Assert.Null(await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.User, "user-020000"), 4));
            session = await ReopenAsync(session, configureFile: Small);
        }
    }

    [Fact]
    public async Task A_damaged_key_directory_page_is_reported_naming_the_table_and_offset()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.SnapshotThresholdBytes = 1);
        await session.Timelines.RegisterTimelinesAsync([.. Enumerable.Range(0, 300).Select(i => new TimelineKey(TimelineKind.Conversation, $"conversation-{i:D4}"))]);
        await CloseAsync(session);
        long page = FileHeader.Size + SortedRun.PageSize;
        using (FileStream file = File.Open(DirectoryTable, FileMode.Open))
        {
            file.Position = page + 200;
            int b = file.ReadByte();
            file.Position = page + 200;
            file.WriteByte((byte)(b ^ 0x01));
        }

        // The lookups of the keys on the damaged page fail naming the table and the page; every other key is still found.
        session = await OpenAsync();
        var failures = new List<string>();
        for (int i = 0; i < 300; i++)
        {
            try
            {
                Assert.NotNull(await session.Timelines.GetTimelineAsync(new TimelineKey(TimelineKind.Conversation, $"conversation-{i:D4}"), 1));
            }
            catch (BlockStoreException damaged)
            {
                failures.Add(damaged.Message);
            }
        }

        Assert.InRange(failures.Count, 1, 100);
        Assert.All(failures, message => Assert.Contains($"'{DirectoryTable}'", message, StringComparison.Ordinal));
        Assert.All(failures, message => Assert.Contains($"offset {page}", message, StringComparison.Ordinal));
        await Assert.ThrowsAsync<BlockStoreException>(async () => await ToListAsync(session.Timelines.LoadTimelinesAsync()));
    }

    [Fact]
    public async Task A_data_set_whose_key_directory_is_a_snapshot_and_log_is_converted_once_on_open()
    {
        IBlockStoreSession session = await OpenAsync();
        BlockInfo[] chain = Chain("c", 5);
        await session.Timelines.CommitBlocksAsync(chain, journalKeepFrom: 0);
        await session.Timelines.CommitBlocksAsync([Block("u", 1, chain[0].Location, TimelineKind.User), Block("gone", 1, chain[1].Location)], journalKeepFrom: 17);
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.User, "会话-✓"), new TimelineKey(TimelineKind.Conversation, "../x")]);
        await CloseAsync(session);
        List<(TimelineKey Key, DirectoryEntry Entry)> entries = [];
        using (SortedTable table = SortedTable.Open(MetaDir, "directory", FileKind.DirectoryTable, FileKind.DirectoryLog, Durability.Full, long.MaxValue))
        {
            foreach (KeyValuePair<byte[], byte[]> record in table.Scan([]))
            {
                if (DirectoryKeys.Decode(record.Key) is TimelineKey key)
                {
                    entries.Add((key, DirectoryEntry.Decode(record.Value)));
                }
            }
        }

        // The key directory as the previous format kept it: a snapshot (trim point, high-water marks, directory entries) and a
        // log (a registration, a commit, the deletion of a timeline), beside the same block index.
        File.Delete(DirectoryTable);
        File.Delete(DirectoryLog);
        using (SnapshotLog log = SnapshotLog.Open(MetaDir, "timelines", FileKind.TimelineSnapshot, FileKind.TimelineLog, Durability.Full, long.MaxValue, static _ => { }))
        {
            using var record = new RecordBuffer();
            log.Compact(writer =>
            {
                record.Clear();
                record.WriteByte(3);
                record.WriteInt64(17);
                record.WriteInt32(0);
                writer.Write(record.WrittenSpan);
                record.Clear();
                record.WriteByte(5);
                record.WriteInt64(chain[^1].LastSeqId);
                record.WriteInt64(chain[^1].LastTimestamp);
                writer.Write(record.WrittenSpan);
                record.Clear();
                record.WriteByte(4);
                record.WriteInt32(entries.Count);
                foreach ((TimelineKey key, DirectoryEntry entry) in entries)
                {
                    record.WriteByte((byte)key.Kind);
                    record.WriteString(key.Id);
                    record.WriteInt64(entry.Head);
                    record.WriteInt32(entry.Blocks);
                    record.WriteInt64(entry.Entries);
                    record.WriteInt64(entry.LastSeqId);
                }

                writer.Write(record.WrittenSpan);
            });
            record.Clear();
            record.WriteByte(1);
            record.WriteInt32(1);
            record.WriteByte((byte)TimelineKind.User);
            record.WriteString("late");
            log.Append(record.WrittenSpan);
            record.Clear();
            record.WriteByte(7);
            record.WriteByte((byte)TimelineKind.Conversation);
            record.WriteString("gone");
            log.Append(record.WrittenSpan);
        }

        session = await OpenAsync();

        Assert.False(File.Exists(TimelineSnapshot));
        Assert.False(File.Exists(TimelineLog));
        Assert.True(File.Exists(DirectoryTable));
        Assert.Equal(FileHeader.Size, new FileInfo(DirectoryLog).Length);
        TimelineKey[] expectedKeys =
        [
            new(TimelineKind.Conversation, "../x"), new(TimelineKind.Conversation, "c"), new(TimelineKind.User, "late"),
            new(TimelineKind.User, "u"), new(TimelineKind.User, "会话-✓"),
        ];
        Assert.Equal(expectedKeys, await ToListAsync(session.Timelines.LoadTimelinesAsync()));
        Assert.Equal([.. chain, Block("u", 1, chain[0].Location, TimelineKind.User)], await ToListAsync(session.Timelines.LoadBlocksAsync()));
        Assert.Equal(17, await session.Timelines.LoadJournalKeepFromAsync());
        DataSetSummary summary = await session.Timelines.GetSummaryAsync();
        Assert.Equal(
            (2L, 3L, 6L, chain.Sum(b => (long)b.Count), chain[^1].LastSeqId, chain[^1].LastTimestamp),
            (summary.ConvTimelines, summary.UserTimelines, summary.SealedBlocks, summary.SealedMessages, summary.MaxSeqId, summary.MaxTimestamp));

        // Old files found beside a converted directory (a crash before their deletion) are deleted, not converted again.
        await CloseAsync(session);
        using (SnapshotLog log = SnapshotLog.Open(MetaDir, "timelines", FileKind.TimelineSnapshot, FileKind.TimelineLog, Durability.Full, long.MaxValue, static _ => { }))
        {
            log.Append([1, 1, 0, 0, 0, (byte)TimelineKind.User, 1, 0, (byte)'z']);
        }

        session = await OpenAsync();
        Assert.False(File.Exists(TimelineLog));
        Assert.Equal(expectedKeys, await ToListAsync(session.Timelines.LoadTimelinesAsync()));
        Assert.Equal((2L, 3L), ((await session.Timelines.GetSummaryAsync()).ConvTimelines, (await session.Timelines.GetSummaryAsync()).UserTimelines));
    }

    /// <summary>
    /// <paramref name="count"/> blocks of one conversation, block i holding SeqIds 10i+1 to 10i+5; their timestamps never
    /// decrease and neighbours may share one.
    /// </summary>
    private static BlockInfo[] Chain(string timeline, int count, int firstIndex = 0)
    {
        var blocks = new BlockInfo[count];
        for (int n = 0; n < count; n++)
        {
            int i = firstIndex + n;
            var location = new StoreIndex(1, FileHeader.Size + (i * 16L), 16, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + i));
            blocks[n] = new BlockInfo(TimelineKind.Conversation, timeline, (10L * i) + 1, (10L * i) + 5, 1000 + i, 1000 + i + (i % 2), 5, location);
        }

        return blocks;
    }
}
