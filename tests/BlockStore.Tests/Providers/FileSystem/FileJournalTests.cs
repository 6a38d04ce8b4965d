using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>The journal: torn tails are cut without losing a complete record, segments roll and are deleted once sealing covers them.</summary>
public sealed class FileJournalTests : FileProviderTestBase
{
    private string[] Segments() => [.. Directory.GetFiles(JournalDir).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_journal_cut_mid_record_recovers_every_complete_record_and_appends_cleanly_after()
    {
        IBlockStoreSession session = await OpenAsync(o => o.Durability = Durability.Full);
        await AppendAsync(session, 1, 5, 9, 12);
        await CloseAsync(session);
        string segment = Assert.Single(Segments());
        long length = new FileInfo(segment).Length;
        using (FileStream file = File.OpenWrite(segment))
        {
            file.SetLength(length - 7);
        }

        session = await OpenAsync(o => o.Durability = Durability.Full);
        Assert.Equal([1, 5, 9], await JournalIdsAsync(session));
        await AppendAsync(session, 13);
        session = await ReopenAsync(session);

        Assert.Equal([1, 5, 9, 13], await JournalIdsAsync(session));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(11)]
    [InlineData(40)]
    [InlineData(5000)]
    public async Task Garbage_after_the_last_record_is_dropped_and_later_appends_are_not_hidden(int garbageBytes)
    {
        IBlockStoreSession session = await OpenAsync();
        await AppendAsync(session, 1, 2, 3);
        await CloseAsync(session);
        var garbage = new byte[garbageBytes];
        new Random(garbageBytes).NextBytes(garbage);
        using (FileStream file = new(Assert.Single(Segments()), FileMode.Append))
        {
            file.Write(garbage);
        }

        session = await OpenAsync();
        Assert.Equal([1, 2, 3], await JournalIdsAsync(session));
        await AppendAsync(session, 4);
        session = await ReopenAsync(session);

        Assert.Equal([1, 2, 3, 4], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task A_damaged_record_in_an_older_segment_is_reported_not_skipped()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.JournalSegmentBytes = 200);
        await AppendAsync(session, 1, 2, 3, 4, 5, 6, 7, 8);
        await CloseAsync(session);
        string first = Segments()[0];
        byte[] bytes = await File.ReadAllBytesAsync(first);
        bytes[FileHeader.Size + 12] ^= 0xFF;
        await File.WriteAllBytesAsync(first, bytes);

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync(configureFile: f => f.JournalSegmentBytes = 200));

        Assert.Contains(first, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(76, 0x01, 66)]
    [InlineData(125, 0x80, 105)]
    [InlineData(66, 0x01, 66)]
    [InlineData(68, 0x10, 66)]
    public async Task Damage_in_the_newest_segment_is_refused_naming_segment_and_offset_and_nothing_is_cut(int index, byte mask, long frame)
    {
        // Records 1 to 4 are frames of 18, 19, 20 and 21 bytes at offsets 48, 66, 85 and 105. The cases: a body byte of the
        // second record; the last byte of the last record; the second record's length, still inside the file; the second
        // record's length, now past the end of the file.
        IBlockStoreSession session = await OpenAsync();
        await AppendAsync(session, 1, 2, 3, 4);
        await CloseAsync(session);
        string segment = Assert.Single(Segments());
        byte[] bytes = await File.ReadAllBytesAsync(segment);
        Assert.Equal(126, bytes.Length);
        bytes[index] ^= mask;
        await File.WriteAllBytesAsync(segment, bytes);

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(segment, error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {frame}", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(segment));
    }

    [Fact]
    public async Task Zeros_after_the_last_record_are_space_never_written_and_are_cut()
    {
        IBlockStoreSession session = await OpenAsync();
        await AppendAsync(session, 1, 2);
        await CloseAsync(session);
        using (FileStream file = new(Assert.Single(Segments()), FileMode.Append))
        {
            file.Write(new byte[100]);
        }

        session = await OpenAsync();
        Assert.Equal([1, 2], await JournalIdsAsync(session));
        await AppendAsync(session, 3);
        session = await ReopenAsync(session);

        Assert.Equal([1, 2, 3], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task The_open_segment_is_preallocated_so_commits_do_not_change_its_size_and_a_closed_one_is_cut_to_its_records()
    {
        IBlockStoreSession session = await OpenAsync(o => o.Durability = Durability.Full, f => f.JournalSegmentBytes = 64 * 1024);
        await AppendAsync(session, 1);
        string segment = Assert.Single(Segments());
        Assert.Equal(64 * 1024, new FileInfo(segment).Length);
        await AppendAsync(session, 2, 3);
        Assert.Equal(64 * 1024, new FileInfo(segment).Length);

        await CloseAsync(session);

        Assert.Equal(FileHeader.Size + 18 + 19 + 20, new FileInfo(segment).Length);
        session = await OpenAsync(o => o.Durability = Durability.Full, f => f.JournalSegmentBytes = 64 * 1024);
        Assert.Equal(64 * 1024, new FileInfo(segment).Length);
        Assert.Equal([1, 2, 3], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task A_record_torn_inside_preallocated_space_is_dropped_and_appends_continue_after_the_last_whole_record()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.JournalSegmentBytes = 4096);
        await AppendAsync(session, 1, 2, 3);
        await CloseAsync(session);
        string segment = Assert.Single(Segments());
        using (FileStream file = new(segment, FileMode.Open))
        {
            // The third record (20 bytes at offset 85) lost its last 8 bytes to a power cut; the file system kept the allocated zeros.
            file.SetLength(85 + 12);
            file.SetLength(4096);
        }

        session = await OpenAsync(configureFile: f => f.JournalSegmentBytes = 4096);
        Assert.Equal([1, 2], await JournalIdsAsync(session));
        await AppendAsync(session, 4);
        session = await ReopenAsync(session, configureFile: f => f.JournalSegmentBytes = 4096);

        Assert.Equal([1, 2, 4], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task Segments_roll_at_the_configured_size_and_are_deleted_once_sealing_covers_them()
    {
        IBlockStoreSession session = await OpenAsync(o => o.Durability = Durability.Full, f => f.JournalSegmentBytes = 200);
        long[] ids = [.. Enumerable.Range(1, 30).Select(i => (long)i)];
        await AppendAsync(session, ids);
        int before = Segments().Length;
        Assert.True(before > 4, $"only {before} segments");
        Assert.All(Segments(), s => Assert.Matches(@"^\d{20}\.log$", Path.GetFileName(s)));

        IReadOnlyList<StoreIndex> location = await session.Blocks.WriteBlocksAsync([Filled(10, 1)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 1, location[0])], journalKeepFrom: 20);

        Assert.InRange(Segments().Length, 1, before - 1);
        Assert.True(long.Parse(Path.GetFileNameWithoutExtension(Segments()[0])) <= 20);
        Assert.Equal(ids[19..], await JournalIdsAsync(session));
        session = await ReopenAsync(session, configureFile: f => f.JournalSegmentBytes = 200);
        Assert.Equal(ids[19..], await JournalIdsAsync(session));

        await session.Timelines.CommitBlocksAsync([], journalKeepFrom: 31);

        Assert.Empty(Segments());
        Assert.Empty(await JournalIdsAsync(session));
        await AppendAsync(session, 31);
        session = await ReopenAsync(session, configureFile: f => f.JournalSegmentBytes = 200);
        Assert.Equal([31], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task Records_below_the_recorded_trim_point_are_not_returned_even_if_their_segment_survived()
    {
        IBlockStoreSession session = await OpenAsync();
        await AppendAsync(session, 1, 2, 3, 4);
        await session.Timelines.CommitBlocksAsync([], journalKeepFrom: 3);

        Assert.Single(Segments());
        Assert.Equal([3, 4], await JournalIdsAsync(session));
        session = await ReopenAsync(session);
        Assert.Equal([3, 4], await JournalIdsAsync(session));
    }

    [Fact]
    public async Task Record_ids_must_increase()
    {
        IBlockStoreSession session = await OpenAsync();
        await AppendAsync(session, 5);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await session.Timelines.AppendJournalAsync(5, new byte[1]));
        await AppendAsync(session, 6);
        Assert.Equal([5, 6], await JournalIdsAsync(session));
    }

    [Fact]
    public void A_commit_that_reaches_unwritten_space_writes_zeros_ahead_so_the_commits_after_it_write_into_written_space()
    {
        const int PayloadBytes = 10_000;
        const int Records = 250;
        const long SegmentBytes = 4L * 1024 * 1024;
        const int ZeroAhead = 1024 * 1024;
        var disk = new SimulatedDisk(DataDir);
        var payload = new byte[PayloadBytes];
        new Random(7).NextBytes(payload);
        using (FileIo.Use(disk))
        {
            using FileJournal journal = FileJournal.Open(JournalDir, Durability.Full, SegmentBytes, keepFrom: 0);
            for (int id = 1; id <= Records; id++)
            {
                journal.Append(id, payload);
            }
        }

        // The segment's writes after its header: each a record, the ones reaching past what was written before followed by zeros.
        List<DiskEvent.Write> writes = [.. disk.Events.OfType<DiskEvent.Write>().Where(static w => w.Offset >= FileHeader.Size)];
        Assert.Equal(Records, writes.Count);
        long recordBytes = writes[0].Bytes.Length - ZeroAhead;
        Assert.True(recordBytes > PayloadBytes, $"the first commit wrote {writes[0].Bytes.Length} bytes, no zeros after its record");
        long recordsEnd = FileHeader.Size;
        long written = FileHeader.Size;
        int zeroed = 0;
        foreach (DiskEvent.Write write in writes)
        {
            Assert.Equal(recordsEnd, write.Offset);
            recordsEnd += recordBytes;
            if (recordsEnd > written)
            {
                zeroed++;
                Assert.Equal(recordBytes + Math.Min(ZeroAhead, SegmentBytes - recordsEnd), write.Bytes.Length);
                Assert.All(write.Bytes[(int)recordBytes..], static b => Assert.Equal(0, b));
            }
            else
            {
                Assert.Equal(recordBytes, write.Bytes.Length);
            }

            written = Math.Max(written, write.Offset + write.Bytes.Length);
        }

        // Zeros at the first record, then at each record passing the zeros written before: 2.5 MB of records, three times.
        Assert.Equal(3, zeroed);
        using FileJournal reopened = FileJournal.Open(JournalDir, Durability.Full, SegmentBytes, keepFrom: 0);
        List<JournalRecord> records = [.. reopened.ReadRecords(0, CancellationToken.None)];
        Assert.Equal(Enumerable.Range(1, Records).Select(static id => (long)id), records.Select(static r => r.Id));
        Assert.All(records, r => Assert.Equal(payload, r.Payload.ToArray()));
    }
}
