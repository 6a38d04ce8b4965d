using System.Text;
using BlockStore.Providers.File;
using BlockStore.Tests.Contract;

namespace BlockStore.Tests.Providers.FileSystem;

/// <summary>
/// Power cuts on the File provider: a workload under <see cref="Durability.Full"/> runs on a <see cref="SimulatedDisk"/>, then
/// many states a power cut could leave are rebuilt from what was flushed and reopened by the real engine.
/// </summary>
/// <remarks>Set BLOCKSTORE_POWERCUT_SEED to replay the crash states of a failed run (its seed is in the failure message).</remarks>
public sealed class FilePowerCutTests() : StoreTestBase(new FileFixture())
{
    private const int CrashStates = 1000;
    private static readonly string[] Conversations = ["c0", "c1", "c2"];
    private static readonly string[] Members = ["u0", "u1"];

    [Fact]
    public async Task After_a_power_cut_at_any_point_every_acknowledged_message_and_checkpoint_is_there_and_nothing_damaged_is_returned()
    {
        int seed = CrashReplay.Seed();
        var disk = new SimulatedDisk(DataDir);
        Workload workload;
        using (FileIo.Use(disk))
        {
            workload = await RunWorkloadAsync(disk);
        }

        int damagedReports = 0;
        await CrashReplay.ForEachCrashStateAsync(
            disk, CrashStates, seed, Path.Combine(Root, "crash"), async (target, position) => damagedReports += await CheckAsync(target, workload, position) ? 0 : 1);

        Console.WriteLine($"Power cut: {CrashStates} crash states over {disk.Position} operations ({disk.Events.Count(e => e.IsFlush)} flushes), seed {seed}, {damagedReports} verified as damaged.");
    }

    private static void Configure(BlockStoreOptions o)
    {
        o.Durability = Durability.Full;
        o.MaxCapacity = 4096;
        o.MaxBlockBytes = 1024;
        o.MaxMessageBytes = 400;
        o.TimelineMaxSize = 4;
        o.Compression = BlockCompression.None;
    }

    private static FileBlockStoreProvider Provider() =>
        new(new FileBlockStoreOptions { JournalSegmentBytes = 2048, SnapshotThresholdBytes = 2048 });

    private static byte[] Body(int i) => Bytes($"message {i} " + new string((char)('a' + (i % 26)), (i * 37) % 300));

    private async Task<Workload> RunWorkloadAsync(SimulatedDisk disk)
    {
        var workload = new Workload();
        MessageStore store = await MessageStore.OpenAsync(CreateOptions(Configure), Provider());
        try
        {
            for (int i = 0; i < 90; i++)
            {
                if (i == 45)
                {
                    await store.DisposeAsync();
                    store = await MessageStore.OpenAsync(CreateOptions(Configure), Provider());
                }

                string conv = Conversations[i % Conversations.Length];
                string[] users = i % 4 == 0 ? [Members[0]] : Members;
                if (i % 10 == 9)
                {
                    NewMessage[] batch = [.. Enumerable.Range(0, 3).Select(k => new NewMessage(conv, 1, Body((1000 * k) + i), users))];
                    foreach (NewMessage message in batch)
                    {
                        workload.Sent[Encoding.UTF8.GetString(message.Data.Span)] = conv;
                    }

                    IReadOnlyList<Message> added = await store.AddMessagesAsync(batch);
                    workload.Acknowledge(disk.Position, added);
                }
                else
                {
                    byte[] body = Body(i);
                    workload.Sent[Encoding.UTF8.GetString(body)] = conv;
                    Message added = await store.AddMessageAsync(conv, 1, body, users);
                    workload.Acknowledge(disk.Position, [added]);
                }

                if (i % 12 == 11)
                {
                    long seqId = workload.Acknowledged[^1].Message.SeqId;
                    await store.UpdateUserCheckpointAsync(Members[1], seqId);
                    workload.Checkpoints.Add((disk.Position, seqId));
                }

                if (i % 7 == 3)
                {
                    Message last = workload.Acknowledged[^1].Message;
                    await store.UpdateReadMarkerAsync(Members[0], last.ConvId, last.SeqId);
                    workload.Markers.Add((disk.Position, last.ConvId, last.SeqId));
                }
            }
        }
        finally
        {
            await store.DisposeAsync();
        }

        return workload;
    }

    /// <summary>Opens the crash state and checks it against what was acknowledged before <paramref name="position"/>; false when verification reports damage.</summary>
    private static async Task<bool> CheckAsync(string dataDir, Workload workload, int position)
    {
        var options = new BlockStoreOptions { DataDir = dataDir };
        Configure(options);
        options.Durability = Durability.Normal; // What survives is decided by the image; reopening it needs no fsync.
        await using MessageStore store = await MessageStore.OpenAsync(options, Provider());
        Message[] acknowledged = [.. workload.Acknowledged.Where(a => a.Position <= position).Select(a => a.Message)];
        foreach (string conv in Conversations)
        {
            AssertReturnedWereSent(workload, await store.GetConvMessagesAsync(conv, 1000));
            AssertContains(acknowledged.Where(m => m.ConvId == conv), await store.GetConvMessagesAsync(conv, 1000));
        }

        IReadOnlyList<Message> timeline = await store.GetUserMessagesAsync(Members[0], 0, 1000);
        AssertReturnedWereSent(workload, timeline);
        AssertContains(acknowledged, timeline);
        long checkpoint = workload.Checkpoints.Where(c => c.Position <= position).Select(c => c.SeqId).DefaultIfEmpty(0).Max();
        Assert.True(await store.GetUserCheckpointAsync(Members[1]) >= checkpoint, $"the checkpoint acknowledged at {checkpoint} went back");
        foreach ((int _, string conv, long seqId) in workload.Markers.Where(m => m.Position <= position))
        {
            Assert.True(await store.GetReadMarkerAsync(Members[0], conv) >= seqId, $"the read marker acknowledged at {seqId} in {conv} went back");
        }

        await ContractTests.AssertInboxMatchesRecountAsync(store, Members);
        VerificationReport report = await store.VerifyAsync();
        Message next = await store.AddMessageAsync(Conversations[0], 1, Bytes("after the power cut"), Members);
        long highest = acknowledged.Select(m => m.SeqId).DefaultIfEmpty(0).Max();
        Assert.True(next.SeqId > highest, $"SeqId {next.SeqId} given again after the power cut (acknowledged up to {highest})");
        return report.IsHealthy;
    }

    private static void AssertReturnedWereSent(Workload workload, IReadOnlyList<Message> returned)
    {
        foreach (Message message in returned)
        {
            Assert.True(
                workload.Sent.TryGetValue(Text(message), out string? conv) && conv == message.ConvId,
                $"message {message.SeqId} in {message.ConvId} holds bytes never sent there: '{Text(message)}'");
        }
    }

    private static void AssertContains(IEnumerable<Message> expected, IReadOnlyList<Message> returned)
    {
        var bySeqId = returned.ToDictionary(m => m.SeqId);
        foreach (Message message in expected)
        {
            Assert.True(bySeqId.TryGetValue(message.SeqId, out Message? found), $"acknowledged message {message.SeqId} in {message.ConvId} is lost");
            Assert.Equal(Text(message), Text(found!));
        }
    }

    /// <summary>What the workload sent, and at which disk position each acknowledgement came back.</summary>
    private sealed class Workload
    {
        public Dictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);

        public List<(int Position, Message Message)> Acknowledged { get; } = [];

        public List<(int Position, long SeqId)> Checkpoints { get; } = [];

        public List<(int Position, string ConvId, long SeqId)> Markers { get; } = [];

        public void Acknowledge(int position, IEnumerable<Message> messages) => Acknowledged.AddRange(messages.Select(m => (position, m)));
    }
}
