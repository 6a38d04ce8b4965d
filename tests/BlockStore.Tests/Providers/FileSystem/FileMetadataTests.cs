using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>Timeline metadata and checkpoints: snapshot plus log replay give back the same state; damage is refused, torn tails dropped.</summary>
public sealed class FileMetadataTests : FileProviderTestBase
{
    private string TimelineLog => Path.Combine(MetaDir, FileLayout.DirectoryName + ".log");

    private string TimelineSnapshot => Path.Combine(MetaDir, FileLayout.DirectoryName + SortedTable.RunExtension);

    [Fact]
    public async Task Snapshot_plus_log_replay_gives_back_the_same_timelines_blocks_and_checkpoints()
    {
        static void Tiny(FileBlockStoreOptions f) => f.SnapshotThresholdBytes = 1;
        IBlockStoreSession session = await OpenAsync(o => o.Durability = Durability.Full, Tiny);
        var expected = new List<BlockInfo>();
        var checkpoints = new Dictionary<string, long>();
        string[] ids = ["plain", "../../etc/passwd", "con", "a/b\\c", new string('x', 200), "会话-✓", "user:1"];
        for (int round = 0; round < 40; round++)
        {
            string id = ids[round % ids.Length];
            TimelineKind kind = round % 3 == 0 ? TimelineKind.User : TimelineKind.Conversation;
            await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.User, $"empty-{round}"), new TimelineKey(kind, id)]);
            IReadOnlyList<StoreIndex> locations = await session.Blocks.WriteBlocksAsync([Filled(20, (byte)round), Filled(30, (byte)round)]);
            BlockInfo[] blocks = [Block(id, round * 10, locations[0], kind), Block(id, (round * 10) + 5, locations[1], kind)];
            await session.Timelines.CommitBlocksAsync(blocks, journalKeepFrom: round);
            expected.AddRange(blocks);
            checkpoints[id] = round;
            await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>(id, round), new KeyValuePair<string, long>($"reader-{round}", 7)]);
            checkpoints[$"reader-{round}"] = 7;
        }

        Assert.True(File.Exists(TimelineSnapshot));
        Assert.True(File.Exists(Path.Combine(MetaDir, FileLayout.CheckpointsName + ".snapshot")));
        Assert.True(new FileInfo(Path.Combine(MetaDir, FileLayout.CheckpointsName + ".log")).Length > FileHeader.Size, "the last changes should still be in the log");
        List<TimelineKey> timelinesBefore = await ToListAsync(session.Timelines.LoadTimelinesAsync());
        List<BlockInfo> blocksBefore = await ToListAsync(session.Timelines.LoadBlocksAsync());

        session = await ReopenAsync(session, configureFile: Tiny);

        List<BlockInfo> blocksAfter = await ToListAsync(session.Timelines.LoadBlocksAsync());
        Assert.Equal(blocksBefore, blocksAfter);
        Assert.Equal(
            expected.OrderBy(b => b.Kind).ThenBy(b => b.TimelineId, StringComparer.Ordinal).ThenBy(b => b.FirstSeqId),
            blocksAfter);
        Assert.Equal(timelinesBefore.ToHashSet(), (await ToListAsync(session.Timelines.LoadTimelinesAsync())).ToHashSet());
        Assert.Equal(40 + 14, timelinesBefore.Count);
        foreach (KeyValuePair<string, long> pair in checkpoints)
        {
            Assert.Equal(pair.Value, await session.Checkpoints.GetAsync(pair.Key));
        }

        Assert.All(Directory.GetFiles(DataDir, "*", SearchOption.AllDirectories), f =>
            Assert.Matches(@"^(blockstore\.(lock|format)|store-\d{6}\.dat|\d{20}\.log|(checkpoints|freed)\.(log|snapshot)|directory\.(log|table)|inbox-index\.(table|log)|timelines\.blocks)$", Path.GetFileName(f)));
    }

    [Fact]
    public async Task A_stale_log_left_by_an_interrupted_compaction_is_not_replayed_twice()
    {
        IBlockStoreSession session = await OpenAsync();
        IReadOnlyList<StoreIndex> locations = await session.Blocks.WriteBlocksAsync([Filled(10, 1)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 1, locations[0])], journalKeepFrom: 0);
        await CloseAsync(session);
        byte[] staleLog = await File.ReadAllBytesAsync(TimelineLog);

        session = await OpenAsync(configureFile: f => f.SnapshotThresholdBytes = 1);
        locations = await session.Blocks.WriteBlocksAsync([Filled(10, 2)]);
        await session.Timelines.CommitBlocksAsync([Block("c", 5, locations[0])], journalKeepFrom: 0);
        await CloseAsync(session);
        Assert.True(File.Exists(TimelineSnapshot));

        // As if the process stopped after renaming the new snapshot but before starting the new log.
        await File.WriteAllBytesAsync(TimelineLog, staleLog);
        session = await OpenAsync();

        List<BlockInfo> blocks = await ToListAsync(session.Timelines.LoadBlocksAsync());
        Assert.Equal([1, 5], blocks.Select(b => b.FirstSeqId));
    }

    [Fact]
    public async Task A_torn_metadata_log_tail_is_dropped_and_earlier_records_survive()
    {
        IBlockStoreSession session = await OpenAsync();
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.Conversation, "kept")]);
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.Conversation, "torn")]);
        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("u", 3)]);
        await CloseAsync(session);
        using (FileStream file = File.OpenWrite(TimelineLog))
        {
            file.SetLength(file.Length - 3);
        }

        session = await OpenAsync();

        Assert.Equal([new TimelineKey(TimelineKind.Conversation, "kept")], await ToListAsync(session.Timelines.LoadTimelinesAsync()));
        Assert.Equal(3, await session.Checkpoints.GetAsync("u"));
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.User, "after")]);
        session = await ReopenAsync(session);
        Assert.Equal(2, (await ToListAsync(session.Timelines.LoadTimelinesAsync())).Count);
    }

    [Fact]
    public async Task A_damaged_metadata_record_followed_by_others_is_refused_not_skipped()
    {
        IBlockStoreSession session = await OpenAsync();
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.Conversation, "first")]);
        await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.Conversation, "second")]);
        await CloseAsync(session);
        byte[] bytes = await File.ReadAllBytesAsync(TimelineLog);
        bytes[FileHeader.Size + 10] ^= 0xFF;
        await File.WriteAllBytesAsync(TimelineLog, bytes);

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(TimelineLog, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("directory", false)]
    [InlineData("directory", true)]
    [InlineData("checkpoints", false)]
    [InlineData("checkpoints", true)]
    public async Task Damage_in_a_metadata_log_is_refused_naming_log_and_offset_and_nothing_is_cut(string name, bool lastRecord)
    {
        IBlockStoreSession session = await OpenAsync();
        for (int i = 0; i < 12; i++)
        {
            await session.Timelines.RegisterTimelinesAsync([new TimelineKey(TimelineKind.Conversation, $"c{i}")]);
            await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>($"u{i}", i + 1)]);
        }

        await CloseAsync(session);
        string log = Path.Combine(MetaDir, name + ".log");
        byte[] bytes = await File.ReadAllBytesAsync(log);
        List<int> frames = FrameOffsets(bytes);
        Assert.Equal(12, frames.Count);
        int frame;
        if (lastRecord)
        {
            // A complete last record whose checksum fails.
            frame = frames[^1];
            bytes[^1] ^= 0x01;
        }
        else
        {
            // The first record's length now runs past the end of the file, like a torn tail.
            frame = frames[0];
            bytes[frame + 2] ^= 0x10;
        }

        await File.WriteAllBytesAsync(log, bytes);

        var error = await Assert.ThrowsAsync<BlockStoreException>(async () => await OpenAsync());

        Assert.Contains(log, error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {frame}", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(log));
    }

    [Fact]
    public void Records_appended_after_a_compaction_whose_directory_flush_failed_survive_a_restart()
    {
        Directory.CreateDirectory(MetaDir);
        var state = new List<string>();
        SnapshotSource source = writer =>
        {
            foreach (string text in state)
            {
                writer.Write(Encoding.UTF8.GetBytes(text));
            }
        };

        using (SnapshotLog log = OpenState(Durability.Full, _ => { }))
        {
            void Add(string text)
            {
                log.Append(Encoding.UTF8.GetBytes(text));
                state.Add(text);
            }

            Add("a");
            DurableFiles.FailNextSync[MetaDir] = true;
            log.CompactIfDue(source);
            Assert.False(DurableFiles.FailNextSync.ContainsKey(MetaDir), "the compaction should have flushed the directory");
            Add("b");
            Add("c");
        }

        var replayed = new List<string>();
        using (OpenState(Durability.Full, body => replayed.Add(Encoding.UTF8.GetString(body))))
        {
            Assert.Equal(["a", "b", "c"], replayed);
        }
    }

    private SnapshotLog OpenState(Durability durability, RecordHandler apply) =>
        SnapshotLog.Open(MetaDir, "state", FileKind.CheckpointSnapshot, FileKind.CheckpointLog, durability, threshold: 1, apply);

    private static List<int> FrameOffsets(byte[] log)
    {
        var offsets = new List<int>();
        for (int offset = FileHeader.Size; offset < log.Length; offset += RecordFrame.HeaderSize + BitConverter.ToInt32(log, offset))
        {
            offsets.Add(offset);
        }

        return offsets;
    }

    [Fact]
    public async Task Checkpoints_never_move_backwards_and_are_read_while_saved()
    {
        IBlockStoreSession session = await OpenAsync(configureFile: f => f.SnapshotThresholdBytes = 1);
        using var stop = new CancellationTokenSource();
        Task reader = Task.Run(async () =>
        {
            long last = 0;
            while (!stop.IsCancellationRequested)
            {
                long now = await session.Checkpoints.GetAsync("u");
                Assert.True(now >= last);
                last = now;
            }
        });

        for (int i = 1; i <= 300; i++)
        {
            await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("u", i), new KeyValuePair<string, long>($"v{i}", i)]);
        }

        await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("u", 5)]);
        await stop.CancelAsync();
        await reader;

        Assert.Equal(300, await session.Checkpoints.GetAsync("u"));
        session = await ReopenAsync(session);
        Assert.Equal(300, await session.Checkpoints.GetAsync("u"));
        Assert.Equal(150, await session.Checkpoints.GetAsync("v150"));
        Assert.Equal(0, await session.Checkpoints.GetAsync("nobody"));
    }
}
