using System.Text;
using BlockStore.Providers;
using BlockStore.Providers.File;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>
/// Power cuts during compaction and erasure on the File provider: replacements, releases, a timeline and a checkpoint deletion
/// and a reclaim run on a <see cref="SimulatedDisk"/>; every state a power cut could leave is rebuilt and reopened, and must hold
/// each acknowledged change whole (or the next one whole), every block it references intact, and every acknowledged journal record.
/// </summary>
/// <remarks>Set BLOCKSTORE_POWERCUT_SEED to replay the crash states of a failed run (its seed is in the failure message).</remarks>
public sealed class FileCompactionPowerCutTests : FileProviderTestBase
{
    private const int CrashStates = 400;
    private const int BlockBytes = 300;
    private static readonly TimelineKey Conv = new(TimelineKind.Conversation, "c");
    private static readonly TimelineKey User = new(TimelineKind.User, "u");

    [Fact]
    public async Task After_a_power_cut_during_compaction_each_change_is_whole_and_nothing_live_is_lost()
    {
        int seed = CrashReplay.Seed();
        var disk = new SimulatedDisk(DataDir);
        Workload workload;
        using (FileIo.Use(disk))
        {
            workload = await RunWorkloadAsync(disk);
        }

        await CrashReplay.ForEachCrashStateAsync(disk, CrashStates, seed, DataDir + "-crash", (target, position) => CheckAsync(target, workload, position));
    }

    private static BlockStoreOptions Options(string dataDir, Durability durability) =>
        new() { DataDir = dataDir, Durability = durability, MaxCapacity = 1024 };

    private static FileBlockStoreProvider Provider() =>
        new(new FileBlockStoreOptions { JournalSegmentBytes = 300, SnapshotThresholdBytes = 256 });

    private static byte[] Payload(long id) => Encoding.UTF8.GetBytes($"journal record {id} " + new string((char)('a' + id), 40));

    private async Task<Workload> RunWorkloadAsync(SimulatedDisk disk)
    {
        var workload = new Workload();
        IBlockStoreSession session = await Provider().OpenAsync(Options(DataDir, Durability.Full));
        try
        {
            for (long id = 1; id <= 8; id++)
            {
                await session.Timelines.AppendJournalAsync(id, Payload(id));
                workload.Journal.Add((disk.Position, id));
            }

            await session.Checkpoints.SaveAsync([new KeyValuePair<string, long>("gone", 7), new KeyValuePair<string, long>("kept", 5)]);
            workload.CheckpointsSaved = disk.Position;

            IReadOnlyList<StoreIndex> at = await session.Blocks.WriteBlocksAsync([.. Enumerable.Range(0, 8).Select(i => (ReadOnlyMemory<byte>)Filled(BlockBytes, (byte)(i + 1)))]);
            BlockInfo[] split = [.. Enumerable.Range(0, 6).Select(i => Block("c", 1 + (2 * i), at[i]))];
            BlockInfo user = Block("u", 1, at[6], TimelineKind.User);
            BlockInfo merged = new(TimelineKind.Conversation, "c", 3, 6, 1003, 1006, 3, at[7]);
            workload.Contents = at.Select((l, i) => (l, Filled(BlockBytes, (byte)(i + 1)))).ToDictionary(p => p.l, p => p.Item2);
            workload.Versions.Add(([], 0));

            await session.Timelines.CommitBlocksAsync([.. split, user], journalKeepFrom: 5);
            workload.Versions.Add((split, disk.Position));

            await session.Timelines.ReplaceBlocksAsync(Conv, split[1..3], [merged]);
            workload.Versions.Add(([split[0], merged, .. split[3..]], disk.Position));
            await session.Blocks.ReleaseBlocksAsync([split[1].Location, split[2].Location]);

            await session.Timelines.ReplaceBlocksAsync(Conv, split[3..], []);
            workload.Versions.Add(([split[0], merged], disk.Position));
            await session.Blocks.ReleaseBlocksAsync([.. split[3..].Select(b => b.Location)]);

            workload.UserDeleteStarted = disk.Position;
            await session.Timelines.DeleteTimelineAsync(User);
            workload.UserDeleted = disk.Position;
            await session.Blocks.ReleaseBlocksAsync([user.Location]);
            await session.Checkpoints.DeleteAsync("gone");
            workload.CheckpointDeleted = disk.Position;

            await session.ReclaimAsync();
            await session.Timelines.AppendJournalAsync(9, Payload(9));
            workload.Journal.Add((disk.Position, 9));
        }
        finally
        {
            await session.DisposeAsync();
        }

        Assert.False(File.Exists(Path.Combine(StoresDir, StoreFile.FileName(2))), "store 2 had every block freed");
        return workload;
    }

    private static async Task CheckAsync(string dataDir, Workload workload, int position)
    {
        IBlockStoreSession session = await Provider().OpenAsync(Options(dataDir, Durability.Normal));
        try
        {
            // The timeline holds the last acknowledged version, or the one being written when the power went.
            int acked = workload.Versions.FindLastIndex(v => v.Position <= position);
            IReadOnlyList<BlockInfo> blocks = await session.Timelines.GetBlocksAfterAsync(Conv, 0, long.MaxValue, 100);
            int found = workload.Versions.FindIndex(acked, v => v.Blocks.SequenceEqual(blocks));
            Assert.True(found == acked || found == acked + 1, $"the timeline holds blocks {string.Join(", ", blocks.Select(b => b.FirstSeqId))}, not version {acked} or the next");
            TimelineMetadata? metadata = await session.Timelines.GetTimelineAsync(Conv, 100);
            Assert.Equal(blocks.Sum(b => (long)b.Count), metadata?.SealedEntries ?? 0);

            IReadOnlyList<BlockInfo> userBlocks = await session.Timelines.GetBlocksAfterAsync(User, 0, long.MaxValue, 100);
            if (position >= workload.UserDeleted)
            {
                Assert.Empty(userBlocks);
            }
            else if (position <= workload.UserDeleteStarted)
            {
                Assert.Equal(found >= 1 ? 1 : 0, userBlocks.Count);
            }

            DataSetSummary summary = await session.Timelines.GetSummaryAsync();
            Assert.Equal((metadata?.SealedEntries ?? 0, (long)(blocks.Count + userBlocks.Count)), (summary.SealedMessages, summary.SealedBlocks));
            foreach (BlockInfo block in blocks.Concat(userBlocks))
            {
                var bytes = new byte[block.Location.Size];
                await session.Blocks.ReadBlockAsync(block.Location, bytes);
                Assert.Equal(workload.Contents[block.Location], bytes);
            }

            List<JournalRecord> journal = await ToListAsync(session.Timelines.ReadJournalAsync());
            foreach (JournalRecord record in journal)
            {
                Assert.Equal(Payload(record.Id), record.Payload.ToArray());
            }

            long keepFrom = found >= 1 ? 5 : 0;
            HashSet<long> ids = [.. journal.Select(r => r.Id)];
            Assert.All(workload.Journal.Where(j => j.Position <= position && j.Id >= keepFrom), j => Assert.Contains(j.Id, ids));
            Assert.DoesNotContain(journal, r => r.Id < keepFrom);

            if (position >= workload.CheckpointsSaved)
            {
                Assert.Equal(5L, await session.Checkpoints.GetAsync("kept"));
            }

            long gone = await session.Checkpoints.GetAsync("gone");
            if (position >= workload.CheckpointDeleted)
            {
                Assert.Equal(0L, gone);
            }
            else if (position >= workload.CheckpointsSaved && position <= workload.UserDeleteStarted)
            {
                Assert.Equal(7L, gone);
            }
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    /// <summary>What the workload did, and at which disk position each change was acknowledged.</summary>
    private sealed class Workload
    {
        public List<(int Position, long Id)> Journal { get; } = [];

        /// <summary>The conversation timeline's blocks after each change, and where the change was acknowledged.</summary>
        public List<(BlockInfo[] Blocks, int Position)> Versions { get; } = [];

        public Dictionary<StoreIndex, byte[]> Contents { get; set; } = [];

        public int CheckpointsSaved { get; set; } = int.MaxValue;

        public int UserDeleteStarted { get; set; } = int.MaxValue;

        public int UserDeleted { get; set; } = int.MaxValue;

        public int CheckpointDeleted { get; set; } = int.MaxValue;
    }
}
