using System.Globalization;
using BlockStore.CrashChild;
using BlockStore.Tests.Support;

namespace BlockStore.Tests.Contract;

/// <summary>
/// kill -9 tests: a child process writes with concurrent writers and prints every acknowledgement; the test kills it at
/// a random moment, several rounds on the same data set, and checks that everything acknowledged survived.
/// Rounds per run: the BLOCKSTORE_CRASH_ROUNDS environment variable (default 3).
/// </summary>
public abstract partial class ContractTests
{
    private const int Writers = 4;

    [SkippableTheory]
    [InlineData(Durability.Full)]
    [InlineData(Durability.Normal)]
    public async Task Acknowledged_writes_survive_kill_9(Durability durability)
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("BLOCKSTORE_CRASH_ROUNDS"), out int r) ? r : 3;
        var acknowledged = new Dictionary<long, (int Round, int Writer, int I)>();
        var checkpoints = new Dictionary<string, long>();
        var random = new Random(durability == Durability.Full ? 1 : 2);
        for (int round = 0; round < rounds; round++)
        {
            List<string> lines = await RunAndKillAsync(durability, round, TimeSpan.FromMilliseconds(random.Next(300, 1500)));
            int acks = Parse(lines, acknowledged, checkpoints);
            Assert.True(acks > 0, $"round {round}: the child acknowledged nothing ({string.Join(" | ", lines.Take(5))})");

            await using MessageStore store = await MessageStore.OpenAsync(AfterCrash(durability), Fixture.CreateProvider());
            await AssertSurvivedAsync(store, acknowledged, checkpoints);
            VerificationReport report = await store.VerifyAsync();
            Assert.True(report.IsHealthy, string.Join("; ", report.Problems.Select(p => p.Description)));
            await AssertRetriesReturnTheOriginalsAsync(store, acknowledged, round);
            Message next = await store.AddMessageAsync("after-crash", 0, Bytes("next"), ["user-0"]);
            Assert.True(next.SeqId > acknowledged.Keys.Max(), $"next SeqId {next.SeqId} is not above {acknowledged.Keys.Max()}");
            acknowledged[next.SeqId] = (-1, -1, -1);
        }
    }

    [SkippableFact]
    public async Task A_data_set_open_in_another_process_is_refused_until_that_process_dies()
    {
        using var child = CrashChildProcess.Start(Fixture, Durability.Normal, DataDir, round: 0, Writers);
        await child.WaitUntilReadyAsync();
        await child.WaitForAsync(static lines => lines.Count >= 2);

        var error = await Assert.ThrowsAsync<StoreLockedException>(
            () => MessageStore.OpenAsync(CrashWorkload.Options(DataDir, Durability.Normal), Fixture.CreateProvider()));
        await child.KillAsync();

        Assert.Contains("already open", error.Message, StringComparison.Ordinal);
        await using MessageStore store = await MessageStore.OpenAsync(AfterCrash(Durability.Normal), Fixture.CreateProvider());
        Assert.True((await store.GetStatsAsync()).Messages > 0);
    }

    /// <summary>
    /// The options of the open after a kill: it waits for the dead owner's lock, which a DataDir provider's lock file gives up at
    /// once and a lease gives up when it expires.
    /// </summary>
    private BlockStoreOptions AfterCrash(Durability durability)
    {
        BlockStoreOptions options = CrashWorkload.Options(DataDir, durability);
        options.LockWaitTimeout = TimeSpan.FromSeconds(60);
        return options;
    }

    private static async Task AssertSurvivedAsync(MessageStore store, Dictionary<long, (int Round, int Writer, int I)> acknowledged, Dictionary<string, long> checkpoints)
    {
        var conversations = new Dictionary<string, Dictionary<long, Message>>();
        var users = new Dictionary<string, HashSet<long>>();
        foreach ((long seq, (int round, int writer, int i)) in acknowledged)
        {
            if (round < 0)
            {
                continue;
            }

            string conv = CrashWorkload.ConvOf(writer, i);
            if (!conversations.TryGetValue(conv, out Dictionary<long, Message>? stored))
            {
                stored = (await store.GetConvMessagesAsync(conv, int.MaxValue)).ToDictionary(m => m.SeqId);
                conversations[conv] = stored;
            }

            Assert.True(stored.TryGetValue(seq, out Message? message), $"acknowledged message {seq} is missing from {conv}");
            Assert.Equal(CrashWorkload.DataOf(round, writer, i), message.Data.ToArray());
            Assert.Equal((uint)writer, message.SenderId);
            foreach (string user in CrashWorkload.UsersOf(writer, i))
            {
                if (!users.TryGetValue(user, out HashSet<long>? seen))
                {
                    seen = (await store.GetUserMessagesAsync(user, 0, int.MaxValue)).Select(m => m.SeqId).ToHashSet();
                    users[user] = seen;
                }

                Assert.True(seen.Contains(seq), $"acknowledged message {seq} is missing from {user}'s timeline");
            }
        }

        foreach ((string user, long seq) in checkpoints)
        {
            Assert.True(await store.GetUserCheckpointAsync(user) >= seq, $"{user}'s acknowledged checkpoint {seq} went back");
        }
    }

    /// <summary>Retrying each writer's newest acknowledged messages of the killed round with their keys stores nothing new.</summary>
    /// <remarks>
    /// Only messages among the round's newest 200 SeqIds are retried: the workload's small JournalMaxBytes leaves room for about
    /// 400 keys, and a writer whose last call was slow can be further behind.
    /// </remarks>
    private static async Task AssertRetriesReturnTheOriginalsAsync(MessageStore store, Dictionary<long, (int Round, int Writer, int I)> acknowledged, int killedRound)
    {
        long newest = acknowledged.Where(a => a.Value.Round == killedRound).Max(a => a.Key);
        int retries = 0;
        foreach (var group in acknowledged.Where(a => a.Value.Round == killedRound && a.Key > newest - 200).GroupBy(a => a.Value.Writer))
        {
            foreach ((long seq, (int round, int writer, int i)) in group.OrderByDescending(a => a.Key).Take(3))
            {
                Message retried = await store.AddMessageAsync(
                    CrashWorkload.ConvOf(writer, i), (uint)writer, CrashWorkload.DataOf(round, writer, i), CrashWorkload.UsersOf(writer, i), CrashWorkload.KeyOf(round, writer, i));
                Assert.True(retried.SeqId == seq, $"retrying acknowledged message {seq} (round {round}, writer {writer}, item {i}) with its key stored {retried.SeqId}");
                retries++;
            }
        }

        Assert.True(retries > 0);
    }

    private static int Parse(List<string> lines, Dictionary<long, (int, int, int)> acknowledged, Dictionary<string, long> checkpoints)
    {
        int acks = 0;
        foreach (string line in lines)
        {
            string[] parts = line.Split(' ');
            if (parts is ["A", var seq, var round, var writer, var i])
            {
                acknowledged[long.Parse(seq, CultureInfo.InvariantCulture)] =
                    (int.Parse(round, CultureInfo.InvariantCulture), int.Parse(writer, CultureInfo.InvariantCulture), int.Parse(i, CultureInfo.InvariantCulture));
                acks++;
            }
            else if (parts is ["C", var user, var cp])
            {
                checkpoints[user] = Math.Max(checkpoints.GetValueOrDefault(user), long.Parse(cp, CultureInfo.InvariantCulture));
            }
        }

        return acks;
    }

    private async Task<List<string>> RunAndKillAsync(Durability durability, int round, TimeSpan runFor)
    {
        using var child = CrashChildProcess.Start(Fixture, durability, DataDir, round, Writers);
        await child.WaitUntilReadyAsync();
        await Task.Delay(runFor);
        return await child.KillAsync();
    }
}
